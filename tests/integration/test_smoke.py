def test_signup_page_renders(client):
    response = client.get("/aanmelden")
    assert response.status_code == 200
    assert "Aanmelden voor OVER het ravijn" in response.get_data(as_text=True)


def test_signup_sends_confirmation_through_worker(client, signup_form, worker, sink):
    response = client.post("/aanmelden", data=signup_form())
    assert response.status_code == 303, response.get_data(as_text=True)
    received = sink.wait_for(1, timeout=10)
    assert len(received) == 1
    assert received[0].recipients == ["anna@utrecht.example"]


def test_doctor_reports_each_service(app, db, sink):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    for line in ("database: ok", "redis: ok", "smtp: ok"):
        assert line in result.output

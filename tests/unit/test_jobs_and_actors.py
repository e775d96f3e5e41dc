"""Every declared job has its actor and every actor a job, on the job's queue and priority."""

from __future__ import annotations

from newsletter import jobs


def test_every_job_has_an_actor_and_every_actor_a_job():
    from workers import actors, broker

    assert set(actors.ACTORS) == set(jobs.ALL)
    assert set(broker.get_declared_actors()) == {job.name for job in jobs.ALL}
    for job in jobs.ALL:
        actor = broker.get_actor(job.name)
        assert (actor.actor_name, actor.queue_name) == (job.name, job.queue)
        assert actor.priority == job.priority == jobs.QUEUE_PRIORITY[job.queue]


def test_job_names_are_unique_and_queues_known():
    names = [job.name for job in jobs.ALL]
    assert len(names) == len(set(names)) >= 18
    assert {job.queue for job in jobs.ALL} <= set(jobs.QUEUE_PRIORITY)

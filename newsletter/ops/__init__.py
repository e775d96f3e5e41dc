"""What operators and load balancers ask the service: is it alive, is it ready."""

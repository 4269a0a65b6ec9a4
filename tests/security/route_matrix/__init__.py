"""The route matrix (tests/security/test_route_matrix.py): its declaration, URL conf, requests and field rules."""

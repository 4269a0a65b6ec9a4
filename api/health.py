from django.db import DatabaseError, connection, transaction
from django.http import JsonResponse


@transaction.non_atomic_requests
def healthz(request):
    """200 when the database answers, 503 otherwise: for load balancers and orchestrators."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

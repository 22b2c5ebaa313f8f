from django.http import HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def health(request):
    """For load balancers (and the load benchmark's baseline): Django answers, nothing else."""
    return HttpResponse("ok", content_type="text/plain")

"""JSON API under ``/api``. Every route that takes an id looks it up through ``owned``, so a
user can never reach another user's rows (tests enumerate the routes to check it)."""

from fastapi import APIRouter

from moksori.web.api import calls, phone, shop, studio, talk, uploads, voices

router = APIRouter(prefix="/api")
for module in (studio, uploads, voices, talk, calls, phone, shop):
    router.include_router(module.router)

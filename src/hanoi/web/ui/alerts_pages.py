"""(being written)"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hanoi.web.ui.routes import csrf_guard
from hanoi.web.ui.site import PREFIX

router = APIRouter(prefix=PREFIX, include_in_schema=False, dependencies=[Depends(csrf_guard)])

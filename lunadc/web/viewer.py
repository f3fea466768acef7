"""Who a UI request speaks for: the API's own viewer dependency, so one policy applies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from lunadc.api.deps import get_viewer
from lunadc.model.access import Role, Viewer

ViewerDep = Annotated[Viewer, Depends(get_viewer)]


def require_admin(viewer: ViewerDep) -> Viewer:
    """The viewer if they hold the admin role; 401 for nobody, 403 for anyone else."""
    if viewer.is_anonymous:
        raise HTTPException(status_code=401, detail="sign in with an administrator's API token")
    if viewer.role != Role.ADMIN:
        raise HTTPException(status_code=403, detail="this page needs the admin role")
    return viewer


AdminDep = Annotated[Viewer, Depends(require_admin)]

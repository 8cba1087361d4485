"""`vmwall sim --register`: put the simulated cameras in the catalogue, their passwords in the keyring."""

from __future__ import annotations

from dataclasses import dataclass

from vmwall import credentials
from vmwall.errors import UserFacingError
from vmwall.model import Camera, Commune, Forfait
from vmwall.sim.spec import SimCameraSpec
from vmwall.store import CameraRepository, CommuneRepository, Database

SIMULATION_COMMUNE = "Simulation"
# Fictional INSEE code: no French commune uses it.
SIMULATION_INSEE = "99999"


@dataclass(frozen=True, slots=True)
class Registration:
    commune: Commune
    cameras: list[Camera]
    created: int
    updated: int


def register_farm(
    db: Database, specs: list[SimCameraSpec], commune_name: str = SIMULATION_COMMUNE, first_number: int = 1
) -> Registration:
    """Add or update the farm's cameras as numbers first_number.. of the simulation commune.

    Refuses (and changes nothing) when one of those numbers belongs to a camera of another commune:
    a simulator must never overwrite a real camera.
    """
    communes = CommuneRepository(db)
    commune = communes.get_by_name(commune_name) or communes.add(
        Commune(commune_name, SIMULATION_INSEE, Forfait.LIVE_24_7)
    )
    assert commune.id is not None
    repo = CameraRepository(db)
    existing: dict[int, Camera] = {}
    for offset, _spec in enumerate(specs):
        number = first_number + offset
        camera = repo.get_by_number(number)
        if camera is None:
            continue
        if camera.commune_id != commune.id:
            raise UserFacingError(
                f"camera number {number} already belongs to {camera.name!r} of another commune; "
                f"register the simulation elsewhere with --first-number"
            )
        existing[number] = camera
    cameras: list[Camera] = []
    for offset, spec in enumerate(specs):
        number = first_number + offset
        previous = existing.get(number)
        ref = (
            previous.credential_ref
            if previous and previous.credential_ref
            else credentials.new_credential_ref(spec.host, spec.onvif_port, spec.username)
        )
        credentials.store_password(ref, spec.password)
        cameras.append(
            repo.upsert_by_number(
                Camera(
                    number=number,
                    name=spec.name,
                    commune_id=commune.id,
                    onvif_host=spec.host,
                    onvif_port=spec.onvif_port,
                    username=spec.username,
                    credential_ref=ref,
                    main_uri=spec.rtsp_main_uri,
                    sub_uri=spec.rtsp_sub_uri,
                    snapshot_uri=spec.snapshot_uri,
                    main_profile="main",
                    sub_profile="sub",
                    ptz=spec.ptz,
                    manufacturer="vmwall",
                    model="SimCam",
                    address=f"{spec.name}, Simulation",
                )
            )
        )
    return Registration(commune, cameras, len(specs) - len(existing), len(existing))

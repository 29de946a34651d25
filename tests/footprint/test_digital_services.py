"""A service's footprint when used: hand-computed shares of servers and storage arrays, per active user."""

from decimal import Decimal as D

import pytest

from portal.footprint import Figure, Quality
from portal.footprint.digital_services import (
    ARCHETYPES,
    ComponentInputs,
    HostInputs,
    ServiceInputs,
    car_km_equivalent,
    component_share,
    service_footprint,
)

ELECTRICITY = Figure(D("0.05"), quality=Quality.GENERIC)


def host(
    kind="server", embodied="1200", lifetime="4", kwh="2000", pue="1.5", capacity="64", quality=Quality.MANUFACTURER
):
    return HostInputs(
        kind,
        Figure(D(embodied), quality=quality),
        Figure(D(lifetime), quality=quality),
        Figure(D(kwh), quality=quality),
        Figure(D(pue), quality=Quality.GENERIC),
        D(capacity),
    )


def test_two_services_sharing_a_server_split_it_by_vcpu():
    # Server: 1200 / 4 = 300 kg/year made; 2000 kWh × 1.5 × 0.05 = 150 kg/year used; 450 in all.
    server = host()
    a = service_footprint(ServiceInputs((ComponentInputs("vm", server, D(16), D(64)),), electricity_factor=ELECTRICITY))
    b = service_footprint(ServiceInputs((ComponentInputs("vm", server, D(48), D(64)),), electricity_factor=ELECTRICITY))
    assert a.components[0].host_annual.value == D("450")
    assert a.components[0].share == D("0.25")
    assert a.annual.value == D("112.5")
    assert a.components[0].annual_embodied.value == D("75")
    assert a.components[0].annual_use.value == D("37.5")
    assert b.annual.value == D("337.5")
    assert a.annual.value + b.annual.value == D("450")


def test_an_overcommitted_server_is_shared_by_what_is_allocated():
    # 48 + 48 vCPU on 64: each service has half of the server, never 75 %.
    assert component_share(D(48), D(64), D(96)) == D("0.5")
    assert component_share(D(16), D(64), D(16)) == D("0.25")  # a server not full: the idle part is not charged


def test_storage_share_and_per_active_user():
    # Array: 6000 / 10 = 600 made; 10000 kWh × 1.5 × 0.05 = 750 used; 1350 in all; 5000 GB of 100000 = 5 %.
    array = host("storage", "6000", "10", "10000", "1.5", "100000")
    server = host()
    footprint = service_footprint(
        ServiceInputs(
            (ComponentInputs("vm", server, D(16), D(64)), ComponentInputs("volume", array, D(5000))),
            network_gb_per_year=Figure(D(1000), quality=Quality.MANUFACTURER),
            subscribers=120,
            active_users=90,
            electricity_factor=ELECTRICITY,
        )
    )
    assert footprint.components[1].share == D("0.05")
    assert footprint.components[1].annual.value == D("67.5")
    assert footprint.network.value == D("9.27")  # 1000 GB × 9.27 g
    assert footprint.annual.value == D("189.27")  # 112.5 + 67.5 + 9.27
    assert footprint.per_active_user.value == D("2.103")
    assert footprint.quality is Quality.GENERIC  # the PUE and the electricity factor are generic values
    assert not footprint.is_estimate


def test_saas_is_a_per_user_estimate_marked_estimated():
    footprint = service_footprint(
        ServiceInputs(per_user_estimate=Figure(D(4), quality=Quality.GENERIC), subscribers=50, active_users=40)
    )
    assert footprint.annual.value == D(200)
    assert footprint.per_active_user.value == D(5)
    assert footprint.is_estimate
    assert ("", "estimate", Quality.ESTIMATED) in footprint.input_qualities


def test_no_active_user_no_per_user_figure_and_nothing_known_no_total():
    footprint = service_footprint(ServiceInputs((ComponentInputs("vm", host(), D(8)),), active_users=0))
    assert footprint.annual is not None and footprint.per_active_user is None
    empty = service_footprint(ServiceInputs())
    assert empty.annual is None and empty.is_estimate


def test_archetype_from_the_manufacturer_sheet():
    r640 = ARCHETYPES["rack_1u"].inputs()
    assert r640.embodied.value == D("7730") * (1 - D("0.83"))
    assert r640.embodied.quality is Quality.MANUFACTURER
    assert r640.pue.quality is Quality.ESTIMATED  # unknown data centre: the surveyed average


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        component_share(D(1), D(0))
    with pytest.raises(ValueError):
        service_footprint(ServiceInputs((ComponentInputs("vm", host(pue="0.9"), D(1)),)))


def test_car_equivalent():
    assert car_km_equivalent(D("17")) == D(100)

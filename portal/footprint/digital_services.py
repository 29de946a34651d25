"""Footprint of a digital service when used, after NumEcoEval's model (the French government's calculator).

A service runs on virtual machines hosted on physical servers and storage arrays in a data centre with a PUE.
Each physical host weighs, per year:

    host annual kgCO₂e = embodied / lifetime + annual kWh × PUE × electricity factor

and the service is charged its share of each host it uses:

- a server: vCPU given to the service's VMs ÷ the server's vCPU (NumEcoEval's allocation by vCPU);
- a storage array: GB given to the service ÷ the array's usable GB.

When a host is overcommitted (its allocations add up to more than its declared capacity, common for vCPU),
the divisor is the sum of the allocations, so that the services on a host never weigh more than the host.
Network transfer, where measured, adds annual GB × a network factor. SaaS and public-cloud services have no
inventory: a per-user estimate × subscribers, marked estimated, with its source.

Totals are per year and per active user per year (active in the last 90 days): the figure an employee sees.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache

from .factors import ELECTRICITY_FR
from .model import Figure, Quality, Source

__all__ = [
    "ARCHETYPES",
    "CAR_KM",
    "DEFAULT_PUE",
    "NETWORK_FIXED_FR",
    "ComponentFootprint",
    "ComponentInputs",
    "HostArchetype",
    "HostInputs",
    "ServiceFootprint",
    "ServiceInputs",
    "car_km_equivalent",
    "component_share",
    "host_annual",
    "service_footprint",
]

D = Decimal
M, G, E = Quality.MANUFACTURER, Quality.GENERIC, Quality.ESTIMATED

UPTIME_PUE = Source(
    "Uptime Institute Global Data Center Survey (average annual PUE)",
    2023,
    "https://uptimeinstitute.com/resources/research-and-reports",
)
NEGAOCTET_NETWORK = Source("NegaOctet via ADEME, fixed network France", 2022, "https://impactco2.fr/")
ADEME_TRANSPORT = Source(
    "ADEME Impact CO2, transport model (compact petrol car, fuel + construction)",
    2025,
    "https://impactco2.fr/outils/transport",
)
BOAVIZTA_SHEETS = Source(
    "Boavizta environmental-footprint-data (2023-02-23), Open Database License 1.0",
    2023,
    "https://github.com/Boavizta/environmental-footprint-data",
)

#: A data centre whose PUE is unknown: the surveyed world average, an estimate for this site.
DEFAULT_PUE = Figure(D("1.58"), D("1.3"), D("2.0"), E, (UPTIME_PUE,))
#: kgCO₂e per GB carried on the fixed network in France (9.27 g/GB).
NETWORK_FIXED_FR = Figure(D("0.00927"), quality=G, sources=(NEGAOCTET_NETWORK,))
#: kgCO₂e per km by compact petrol car: the everyday equivalent shown next to a service's footprint.
CAR_KM = Figure(D("0.170"), quality=G, sources=(ADEME_TRANSPORT,))


@dataclass(frozen=True, slots=True)
class HostArchetype:
    """A typical physical host from a manufacturer sheet: embodied = gwp_total × (1 − gwp_use_ratio)."""

    key: str
    kind: str  # server | storage
    model: str
    embodied_kgco2e: Decimal
    lifetime_years: Decimal
    annual_kwh: Decimal
    capacity: Decimal  # vCPU for a server, usable GB for a storage array
    url: str

    def inputs(self, pue: Figure = DEFAULT_PUE) -> HostInputs:
        """The archetype as a host's inputs, with its sheet as the source (manufacturer quality)."""
        source = (Source(f"{BOAVIZTA_SHEETS.label}: {self.model}", 2023, self.url),)
        return HostInputs(
            kind=self.kind,
            embodied=Figure(self.embodied_kgco2e, quality=M, sources=source),
            lifetime_years=Figure(self.lifetime_years, quality=M, sources=source),
            annual_kwh=Figure(self.annual_kwh, quality=M, sources=source),
            pue=pue,
            capacity=self.capacity,
        )


#: Archetypes copied from the Boavizta sheets (capacities are the portal's assumption, stated in the README):
#: R640: 7730 × (1 − 0.83) = 1314.1 kg; R740: 8640 × (1 − 0.843) = 1356.48 kg; OneStor SP2584 (84 drives):
#: 190000 × (1 − 0.9652) = 6612 kg. Capacities: 2 × 20 cores × 2 threads = 80 vCPU; 84 × 4 TB = 336,000 GB.
ARCHETYPES: dict[str, HostArchetype] = {
    a.key: a
    for a in (
        HostArchetype(
            "rack_1u",
            "server",
            "Dell PowerEdge R640",
            D("1314.1"),
            D("4"),
            D("1760.3"),
            D("80"),
            "https://i.dell.com/sites/csdocuments/CorpComm_Docs/en/carbon-footprint-poweredge-r640.pdf",
        ),
        HostArchetype(
            "rack_2u",
            "server",
            "Dell PowerEdge R740",
            D("1356.48"),
            D("4"),
            D("1760.3"),
            D("80"),
            "https://i.dell.com/sites/csdocuments/CorpComm_Docs/en/carbon-footprint-poweredge-r740.pdf",
        ),
        HostArchetype(
            "storage_array",
            "storage",
            "Seagate OneStor SP2584",
            D("6612"),
            D("10"),
            D("14800"),
            D("336000"),
            "https://www.seagate.com/files/www-content/global-citizenship/en-us/docs/lca-summary-onestor.pdf",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class HostInputs:
    """A physical server or storage array, in the data centre where it runs."""

    kind: str  # server | storage
    embodied: Figure  # kgCO₂e, made + shipped + disposed of
    lifetime_years: Figure
    annual_kwh: Figure  # at the plug, before the data centre's overhead
    pue: Figure  # power usage effectiveness of its data centre (≥ 1)
    capacity: Decimal  # vCPU (server) or usable GB (storage)


@dataclass(frozen=True, slots=True)
class ComponentInputs:
    """What a service takes of a host: `allocated` vCPU or GB; `host_allocated` is every service's total."""

    name: str
    host: HostInputs
    allocated: Decimal
    host_allocated: Decimal | None = None  # None: this service is the only one declared on the host


@dataclass(frozen=True, slots=True)
class ServiceInputs:
    """A service's components, measured network transfer, SaaS estimate and users."""

    components: tuple[ComponentInputs, ...] = ()
    network_gb_per_year: Figure | None = None
    per_user_estimate: Figure | None = None  # kgCO₂e per subscriber per year (SaaS, public cloud)
    subscribers: int = 0
    active_users: int = 0  # active in the last 90 days
    electricity_factor: Figure = ELECTRICITY_FR
    network_factor: Figure = NETWORK_FIXED_FR


@dataclass(frozen=True, slots=True)
class ComponentFootprint:
    """A host's yearly footprint and the service's part of it."""

    name: str
    kind: str
    share: Decimal
    host_annual: Figure
    annual_embodied: Figure  # the service's share of embodied / lifetime
    annual_use: Figure  # the service's share of kWh × PUE × electricity
    annual: Figure


@dataclass(frozen=True, slots=True)
class ServiceFootprint:
    """A service's footprint per year, per active user, and the quality of each input."""

    components: tuple[ComponentFootprint, ...]
    network: Figure | None
    estimate: Figure | None  # SaaS / public cloud: per-user estimate × subscribers
    annual: Figure | None  # None when nothing at all is known
    per_active_user: Figure | None  # None without active users
    input_qualities: tuple[tuple[str, str, Quality], ...]  # (component or "", input key, quality)

    @property
    def quality(self) -> Quality:
        """The worst quality among the inputs (an estimate anywhere makes the total an estimate)."""
        return Quality.worst(*(q for _, _, q in self.input_qualities)) if self.input_qualities else Quality.ESTIMATED

    @property
    def is_estimate(self) -> bool:
        """True when the total rests on an estimate (SaaS without inventory, unknown PUE…)."""
        return self.quality is Quality.ESTIMATED


def component_share(allocated: Decimal, capacity: Decimal, host_allocated: Decimal | None = None) -> Decimal:
    """The service's share of a host: allocated ÷ max(capacity, every service's allocation on the host)."""
    if allocated < 0 or capacity <= 0:
        raise ValueError("allocation must not be negative and capacity must be positive")
    divisor = max(capacity, host_allocated if host_allocated is not None else allocated)
    return allocated / divisor


@lru_cache(maxsize=4096)  # hosts are shared by many services: each one's year is computed once
def host_annual(host: HostInputs, electricity_factor: Figure = ELECTRICITY_FR) -> tuple[Figure, Figure]:
    """A host's (embodied per year, use per year) in kgCO₂e: embodied / lifetime, kWh × PUE × electricity."""
    if host.lifetime_years.low <= 0:  # type: ignore[operator]
        raise ValueError("lifetime must be positive")
    if host.pue.low < 1:  # type: ignore[operator]
        raise ValueError("PUE is at least 1")
    return host.embodied / host.lifetime_years, host.annual_kwh * host.pue * electricity_factor


def service_footprint(inputs: ServiceInputs) -> ServiceFootprint:
    """The service's yearly footprint (its shares of hosts + network + SaaS estimate) and per active user."""
    components = []
    qualities: list[tuple[str, str, Quality]] = []
    for component in inputs.components:
        host = component.host
        share = component_share(component.allocated, host.capacity, component.host_allocated)
        embodied, use = host_annual(host, inputs.electricity_factor)
        # The share is the portal's allocation rule applied to declared figures: it changes no quality.
        components.append(
            ComponentFootprint(
                component.name,
                host.kind,
                share,
                embodied + use,
                embodied * share,
                use * share,
                (embodied + use) * share,
            )
        )
        qualities += [
            (component.name, "embodied", Quality.worst(host.embodied.quality, host.lifetime_years.quality)),
            (component.name, "kwh", host.annual_kwh.quality),
            (component.name, "pue", host.pue.quality),
        ]
    network = None
    if inputs.network_gb_per_year is not None:
        network = inputs.network_gb_per_year * inputs.network_factor
        qualities.append(("", "network", inputs.network_gb_per_year.quality))
    estimate = None
    if inputs.per_user_estimate is not None:
        estimate = inputs.per_user_estimate.downgraded(Quality.ESTIMATED) * inputs.subscribers
        qualities.append(("", "estimate", Quality.ESTIMATED))
    parts = [c.annual for c in components] + [p for p in (network, estimate) if p is not None]
    annual: Figure | None = None
    for part in parts:
        annual = part if annual is None else annual + part
    if annual is not None and qualities:
        annual = replace(annual, quality=Quality.worst(*(q for _, _, q in qualities)))
    per_user = annual / inputs.active_users if annual is not None and inputs.active_users > 0 else None
    return ServiceFootprint(tuple(components), network, estimate, annual, per_user, tuple(qualities))


def car_km_equivalent(kgco2e: Decimal) -> Decimal:
    """The distance by compact petrol car that emits as much (km)."""
    return kgco2e / CAR_KM.value

"""Device management service (tds) of a simulated camera."""

from __future__ import annotations

import ipaddress

from vmwall.sim.onvif_context import (
    DEVICE_PATH,
    EVENTS_PATH,
    FIRMWARE_VERSION,
    MANUFACTURER,
    MEDIA_PATH,
    MODEL,
    PTZ_PATH,
    Access,
    Call,
    Operation,
    device_scopes,
    operation_key,
)
from vmwall.sim.onvif_imaging import IMAGING_NAMESPACE, IMAGING_PATH, focus_of, imaging_capabilities
from vmwall.sim.soap import NS, Element, el, etree, format_bool, parse_bool, receiver_fault, utc_now

ONVIF_VERSION = (21, 12)  # what the simulated firmware claims to implement


def _version(prefix: str, major: int = ONVIF_VERSION[0], minor: int = ONVIF_VERSION[1]) -> Element:
    return el(f"{prefix}:Version", children=[el("tt:Major", str(major)), el("tt:Minor", str(minor))])


def _date_time(tag: str, moment_fields: tuple[int, int, int, int, int, int]) -> Element:
    year, month, day, hour, minute, second = moment_fields
    return el(
        tag,
        children=[
            el(
                "tt:Time",
                children=[
                    el("tt:Hour", str(hour)),
                    el("tt:Minute", str(minute)),
                    el("tt:Second", str(second)),
                ],
            ),
            el(
                "tt:Date",
                children=[el("tt:Year", str(year)), el("tt:Month", str(month)), el("tt:Day", str(day))],
            ),
        ],
    )


def service_capabilities(call: Call, prefix: str) -> Element:
    """<prefix:Capabilities/> of one service (GetServiceCapabilities and GetServices)."""
    if prefix == "tds":
        return el(
            "tds:Capabilities",
            children=[
                el(
                    "tds:Network",
                    IPFilter="false",
                    ZeroConfiguration="false",
                    IPVersion6="false",
                    DynDNS="false",
                ),
                el("tds:Security", UsernameToken="true", HttpDigest="false", **{"TLS1.2": "false"}),
                el(
                    "tds:System",
                    DiscoveryResolve="false",
                    DiscoveryBye="false",
                    RemoteDiscovery="false",
                    SystemBackup="false",
                    SystemLogging="false",
                    FirmwareUpgrade="false",
                ),
            ],
        )
    if prefix == "trt":
        return el(
            "trt:Capabilities",
            children=[
                el("trt:ProfileCapabilities", MaximumNumberOfProfiles="2"),
                el("trt:StreamingCapabilities", RTP_TCP="true", RTP_RTSP_TCP="true"),
            ],
            SnapshotUri="true",
            Rotation="false",
        )
    if prefix == "tptz":
        return el("tptz:Capabilities", EFlip="false", Reverse="false", GetCompatibleConfigurations="false")
    return el(
        "tev:Capabilities",
        WSSubscriptionPolicySupport="false",
        WSPullPointSupport="true",
        WSPausableSubscriptionManagerInterfaceSupport="false",
        MaxNotificationProducers="0",
        MaxPullPoints="16",
    )


def _services(call: Call) -> list[tuple[str, str]]:
    """(prefix, path) of each service this camera offers."""
    services = [("tds", DEVICE_PATH), ("trt", MEDIA_PATH), ("tev", EVENTS_PATH)]
    if call.device.spec.ptz:
        services.append(("tptz", PTZ_PATH))
    return services


async def get_services(call: Call) -> Element:
    try:
        include = parse_bool(call.body.findtext(f"{{{NS['tds']}}}IncludeCapability"), False)
    except ValueError:
        include = False
    entries = []
    for prefix, path in _services(call):
        capabilities = (
            el("tds:Capabilities", children=[service_capabilities(call, prefix)]) if include else None
        )
        entries.append(
            el(
                "tds:Service",
                children=[
                    el("tds:Namespace", NS[prefix]),
                    el("tds:XAddr", call.url(path)),
                    capabilities,
                    _version("tds"),
                ],
            )
        )
    if focus_of(call.device) is not None:  # the imaging service (timg is not among NS' prefixes)
        entries.append(
            el(
                "tds:Service",
                children=[
                    el("tds:Namespace", IMAGING_NAMESPACE),
                    el("tds:XAddr", call.url(IMAGING_PATH)),
                    el("tds:Capabilities", children=[imaging_capabilities()]) if include else None,
                    _version("tds", 2, 0),
                ],
            )
        )
    return el("tds:GetServicesResponse", children=entries)


_PREFIX_OF_NAMESPACE = {NS[prefix]: prefix for prefix in ("tds", "trt", "tptz", "tev")}


async def get_service_capabilities(call: Call) -> Element:
    prefix = _PREFIX_OF_NAMESPACE[etree.QName(call.body).namespace or ""]
    return el(f"{prefix}:GetServiceCapabilitiesResponse", children=[service_capabilities(call, prefix)])


async def get_capabilities(call: Call) -> Element:
    categories = {(c.text or "").strip() for c in call.body.iterfind(f"{{{NS['tds']}}}Category")} or {"All"}
    known = {"All", "Analytics", "Device", "Events", "Imaging", "Media", "PTZ"}
    wanted = categories & known
    offered = {"Device", "Events", "Media"} | ({"PTZ"} if call.device.spec.ptz else set())
    if focus_of(call.device) is not None:
        offered.add("Imaging")
    if "All" not in wanted and not wanted & offered:
        raise receiver_fault(
            "ter:ActionNotSupported", "ter:NoSuchService", reason="Capability category not supported"
        )

    def include(category: str) -> bool:
        return category in offered and ("All" in wanted or category in wanted)

    device = events = imaging = media = ptz = None
    if include("Device"):
        device = el(
            "tt:Device",
            children=[
                el("tt:XAddr", call.url(DEVICE_PATH)),
                el(
                    "tt:Network",
                    children=[
                        el("tt:IPFilter", "false"),
                        el("tt:ZeroConfiguration", "false"),
                        el("tt:IPVersion6", "false"),
                        el("tt:DynDNS", "false"),
                    ],
                ),
                el(
                    "tt:System",
                    children=[
                        *(
                            el(f"tt:{name}", "false")
                            for name in (
                                "DiscoveryResolve",
                                "DiscoveryBye",
                                "RemoteDiscovery",
                                "SystemBackup",
                                "SystemLogging",
                                "FirmwareUpgrade",
                            )
                        ),
                        el(
                            "tt:SupportedVersions",
                            children=[
                                el("tt:Major", str(ONVIF_VERSION[0])),
                                el("tt:Minor", str(ONVIF_VERSION[1])),
                            ],
                        ),
                    ],
                ),
            ],
        )
    if include("Events"):
        events = el(
            "tt:Events",
            children=[
                el("tt:XAddr", call.url(EVENTS_PATH)),
                el("tt:WSSubscriptionPolicySupport", "false"),
                el("tt:WSPullPointSupport", "true"),
                el("tt:WSPausableSubscriptionManagerInterfaceSupport", "false"),
            ],
        )
    if include("Imaging"):
        imaging = el("tt:Imaging", children=[el("tt:XAddr", call.url(IMAGING_PATH))])
    if include("Media"):
        media = el(
            "tt:Media",
            children=[
                el("tt:XAddr", call.url(MEDIA_PATH)),
                el(
                    "tt:StreamingCapabilities",
                    children=[
                        el("tt:RTPMulticast", "false"),
                        el("tt:RTP_TCP", "true"),
                        el("tt:RTP_RTSP_TCP", "true"),
                    ],
                ),
            ],
        )
    if include("PTZ"):
        ptz = el("tt:PTZ", children=[el("tt:XAddr", call.url(PTZ_PATH))])
    capabilities = el("tds:Capabilities", children=[device, events, imaging, media, ptz])
    return el("tds:GetCapabilitiesResponse", children=[capabilities])


async def get_device_information(call: Call) -> Element:
    device = call.device
    return el(
        "tds:GetDeviceInformationResponse",
        children=[
            el("tds:Manufacturer", MANUFACTURER),
            el("tds:Model", MODEL),
            el("tds:FirmwareVersion", FIRMWARE_VERSION),
            el("tds:SerialNumber", device.serial_number),
            el("tds:HardwareId", device.hardware_id),
        ],
    )


async def get_system_date_and_time(call: Call) -> Element:
    now = utc_now()
    fields = (now.year, now.month, now.day, now.hour, now.minute, now.second)
    return el(
        "tds:GetSystemDateAndTimeResponse",
        children=[
            el(
                "tds:SystemDateAndTime",
                children=[
                    el("tt:DateTimeType", "NTP"),
                    el("tt:DaylightSavings", "false"),
                    el("tt:TimeZone", children=[el("tt:TZ", "UTC0")]),
                    _date_time("tt:UTCDateTime", fields),
                    _date_time("tt:LocalDateTime", fields),
                ],
            )
        ],
    )


async def get_hostname(call: Call) -> Element:
    info = el(
        "tds:HostnameInformation",
        children=[el("tt:FromDHCP", "false"), el("tt:Name", f"simcam-{call.device.spec.number}")],
    )
    return el("tds:GetHostnameResponse", children=[info])


async def get_network_interfaces(call: Call) -> Element:
    number = call.device.spec.number
    mac = f"02:56:4d:00:{(number >> 8) & 0xFF:02x}:{number & 0xFF:02x}"
    manual = None
    try:
        address = ipaddress.ip_address(call.device.advertised_host(call.request_host))
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv4Address):
        prefix = 8 if address.is_loopback else 24
        manual = el(
            "tt:Manual", children=[el("tt:Address", str(address)), el("tt:PrefixLength", str(prefix))]
        )
    interface = el(
        "tds:NetworkInterfaces",
        children=[
            el("tt:Enabled", "true"),
            el("tt:Info", children=[el("tt:Name", "eth0"), el("tt:HwAddress", mac), el("tt:MTU", "1500")]),
            el(
                "tt:IPv4",
                children=[
                    el("tt:Enabled", format_bool(manual is not None)),
                    el("tt:Config", children=[manual, el("tt:DHCP", "false")]),
                ],
            ),
        ],
        token="eth0",
    )
    return el("tds:GetNetworkInterfacesResponse", children=[interface])


async def get_scopes(call: Call) -> Element:
    scopes = [
        el("tds:Scopes", children=[el("tt:ScopeDef", "Fixed"), el("tt:ScopeItem", scope)])
        for scope in device_scopes(call.device.spec)
    ]
    return el("tds:GetScopesResponse", children=scopes)


async def get_endpoint_reference(call: Call) -> Element:
    return el("tds:GetEndpointReferenceResponse", children=[el("tds:GUID", f"urn:uuid:{call.device.uuid}")])


OPERATIONS: dict[str, Operation] = {
    operation_key("tds", "GetServices"): Operation(get_services, Access.PRE_AUTH),
    **{
        operation_key(prefix, "GetServiceCapabilities"): Operation(get_service_capabilities, Access.PRE_AUTH)
        for prefix in _PREFIX_OF_NAMESPACE.values()
    },
    operation_key("tds", "GetCapabilities"): Operation(get_capabilities, Access.PRE_AUTH),
    operation_key("tds", "GetDeviceInformation"): Operation(get_device_information),
    operation_key("tds", "GetSystemDateAndTime"): Operation(get_system_date_and_time, Access.OPEN),
    operation_key("tds", "GetHostname"): Operation(get_hostname, Access.PRE_AUTH),
    operation_key("tds", "GetNetworkInterfaces"): Operation(get_network_interfaces),
    operation_key("tds", "GetScopes"): Operation(get_scopes),
    operation_key("tds", "GetEndpointReference"): Operation(get_endpoint_reference, Access.PRE_AUTH),
}

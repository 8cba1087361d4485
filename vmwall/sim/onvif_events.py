"""Event service (tev + WS-BaseNotification) of a simulated camera: pull-point motion alarms.

Each subscription has its own address (`/onvif/subscription/<id>`), where PullMessages, Renew,
Unsubscribe and SetSynchronizationPoint are served. Filters are accepted and ignored (the camera
has one topic). PullMessages waits at most 60 s (a longer Timeout is clamped) and does not extend
the subscription: only Renew does, as in WS-BaseNotification.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vmwall.sim.events import (
    DEFAULT_TERMINATION_S,
    MOTION_TOPIC,
    MotionEvent,
    Subscription,
    TooManySubscriptionsError,
    UnknownSubscriptionError,
)
from vmwall.sim.onvif_context import SUBSCRIPTION_PATH_PREFIX, Call, Operation, operation_key
from vmwall.sim.soap import (
    Element,
    SoapFaultError,
    el,
    find_text,
    format_bool,
    format_datetime,
    parse_absolute_or_relative,
    parse_duration,
    qn,
    utc_now,
)

CONCRETE_SET_DIALECT = "http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet"
CONCRETE_DIALECT = "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete"
ITEM_FILTER_DIALECT = "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"
DEFAULT_PULL_TIMEOUT_S = 10.0


def _base_fault(tag: str) -> Element:
    return el(tag, children=[el("wsrf-bf:Timestamp", format_datetime(utc_now()))])


def _resource_unknown() -> SoapFaultError:
    return SoapFaultError(
        "Sender",
        (),
        "Unknown or expired subscription",
        detail=_base_fault("wsrf-r:ResourceUnknownFault"),
    )


def _subscription(call: Call) -> Subscription:
    if not call.path.startswith(SUBSCRIPTION_PATH_PREFIX):
        raise _resource_unknown()
    try:
        return call.device.events.get(call.path.removeprefix(SUBSCRIPTION_PATH_PREFIX))
    except UnknownSubscriptionError:
        raise _resource_unknown() from None


def _termination_s(text: str | None, now: datetime, fault_tag: str) -> float:
    if text is None:
        return DEFAULT_TERMINATION_S
    try:
        seconds = parse_absolute_or_relative(text, now)
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        raise SoapFaultError("Sender", (), "Unacceptable termination time", detail=_base_fault(fault_tag))
    return seconds


def _times(call: Call, subscription: Subscription, prefix: str, now: datetime) -> list[Element]:
    remaining = call.device.events.remaining_s(subscription)
    return [
        el(f"{prefix}:CurrentTime", format_datetime(now)),
        el(f"{prefix}:TerminationTime", format_datetime(now + timedelta(seconds=remaining))),
    ]


def _simple_item(name: str, value: str) -> Element:
    return el("tt:SimpleItem", Name=name, Value=value)


def notification_message(event: MotionEvent) -> Element:
    message = el(
        "tt:Message",
        children=[
            el("tt:Source", children=[_simple_item("Source", event.source_token)]),
            el("tt:Data", children=[_simple_item("State", format_bool(event.state))]),
        ],
        UtcTime=format_datetime(event.utc_time),
        PropertyOperation=event.property_operation,
    )
    return el(
        "wsnt:NotificationMessage",
        children=[
            el("wsnt:Topic", MOTION_TOPIC, Dialect=CONCRETE_SET_DIALECT),
            el("wsnt:Message", children=[message]),
        ],
    )


async def get_event_properties(call: Call) -> Element:
    description = el(
        "tt:MessageDescription",
        children=[
            el(
                "tt:Source",
                children=[el("tt:SimpleItemDescription", Name="Source", Type="tt:ReferenceToken")],
            ),
            el("tt:Data", children=[el("tt:SimpleItemDescription", Name="State", Type="xs:boolean")]),
        ],
        IsProperty="true",
    )
    topic = {qn("wstop:topic"): "true"}
    topic_set = el(
        "wstop:TopicSet",
        children=[el("tns1:VideoSource", children=[el("tns1:MotionAlarm", children=[description], **topic)])],
    )
    return el(
        "tev:GetEventPropertiesResponse",
        children=[
            el("tev:TopicNamespaceLocation", "http://www.onvif.org/onvif/ver10/topics/topicns.xml"),
            el("wsnt:FixedTopicSet", "true"),
            topic_set,
            el("wsnt:TopicExpressionDialect", CONCRETE_SET_DIALECT),
            el("wsnt:TopicExpressionDialect", CONCRETE_DIALECT),
            el("tev:MessageContentFilterDialect", ITEM_FILTER_DIALECT),
            el("tev:MessageContentSchemaLocation", "http://www.onvif.org/onvif/ver10/schema/onvif.xsd"),
        ],
    )


async def create_pull_point_subscription(call: Call) -> Element:
    now = utc_now()
    duration = _termination_s(
        find_text(call.body, "tev:InitialTerminationTime"),
        now,
        "wsnt:UnacceptableInitialTerminationTimeFault",
    )
    try:
        subscription = call.device.events.subscribe(duration, now)
    except TooManySubscriptionsError:
        raise SoapFaultError(
            "Receiver", (), "Too many subscriptions", detail=_base_fault("wsnt:SubscribeCreationFailedFault")
        ) from None
    reference = el(
        "tev:SubscriptionReference",
        children=[el("wsa:Address", call.url(SUBSCRIPTION_PATH_PREFIX + subscription.id))],
    )
    return el(
        "tev:CreatePullPointSubscriptionResponse",
        children=[reference, *_times(call, subscription, "wsnt", now)],
    )


async def pull_messages(call: Call) -> Element:
    subscription = _subscription(call)
    timeout_text = find_text(call.body, "tev:Timeout")
    limit_text = find_text(call.body, "tev:MessageLimit")
    try:
        timeout_s = DEFAULT_PULL_TIMEOUT_S if timeout_text is None else parse_duration(timeout_text)
        limit = 1 if limit_text is None else int(limit_text)
    except ValueError:
        raise SoapFaultError("Sender", ("ter:InvalidArgVal",), "Invalid Timeout or MessageLimit") from None
    events = await call.device.events.pull(subscription, timeout_s, limit)
    now = utc_now()
    return el(
        "tev:PullMessagesResponse",
        children=[*_times(call, subscription, "tev", now), *(notification_message(e) for e in events)],
    )


async def renew(call: Call) -> Element:
    subscription = _subscription(call)
    now = utc_now()
    duration = _termination_s(
        find_text(call.body, "wsnt:TerminationTime"), now, "wsnt:UnacceptableTerminationTimeFault"
    )
    try:
        call.device.events.renew(subscription.id, duration)
    except UnknownSubscriptionError:
        raise _resource_unknown() from None
    current, termination = _times(call, subscription, "wsnt", now)
    return el("wsnt:RenewResponse", children=[termination, current])


async def unsubscribe(call: Call) -> Element:
    subscription = _subscription(call)
    try:
        call.device.events.unsubscribe(subscription.id)
    except UnknownSubscriptionError:
        raise _resource_unknown() from None
    return el("wsnt:UnsubscribeResponse")


async def set_synchronization_point(call: Call) -> Element:
    subscription = _subscription(call)
    events = call.device.events
    subscription.queue.append(
        MotionEvent(utc_now(), events.source_token, events.motion_active, "Initialized")
    )
    subscription.wakeup.set()
    return el("tev:SetSynchronizationPointResponse")


OPERATIONS: dict[str, Operation] = {
    operation_key("tev", "GetEventProperties"): Operation(get_event_properties),
    operation_key("tev", "CreatePullPointSubscription"): Operation(create_pull_point_subscription),
    operation_key("tev", "PullMessages"): Operation(pull_messages),
    operation_key("tev", "SetSynchronizationPoint"): Operation(set_synchronization_point),
    operation_key("wsnt", "Renew"): Operation(renew),
    operation_key("wsnt", "Unsubscribe"): Operation(unsubscribe),
}

"""Spotify LCD: what Spotify is playing, on an HD44780 character display (16x2, 20x2, 20x4)."""

import logging
import re
from urllib.parse import urlencode, urljoin

import esphome.codegen as cg
import esphome.config_validation as cv
import esphome.final_validate as fv
from esphome import automation
from esphome.components import lcd_base, output
from esphome.components.http_request import (
    CONF_HTTP_REQUEST_ID,
    CONF_VERIFY_SSL,
    HttpRequestComponent,
    validate_url,
)
from esphome.components.lcd_pcf8574.display import PCF8574LCDDisplay
from esphome.const import (
    CONF_ACTION,
    CONF_API,
    CONF_ATTRIBUTE,
    CONF_DIMENSIONS,
    CONF_DISPLAY_ID,
    CONF_ENTITY_ID,
    CONF_ID,
    CONF_KEY,
    CONF_LAMBDA,
    CONF_PAGES,
    CONF_SIZE,
    CONF_UPDATE_INTERVAL,
    CONF_URL,
)
from esphome.core import CORE, TimePeriodMilliseconds
from esphome.cpp_generator import LambdaExpression

_LOGGER = logging.getLogger(__name__)

CODEOWNERS = ["@spotify-lcd"]
DEPENDENCIES = ["network"]
AUTO_LOAD = ["json"]

DOMAIN = "spotify_lcd"
spotify_lcd_ns = cg.esphome_ns.namespace(DOMAIN)
SpotifyLCD = spotify_lcd_ns.class_("SpotifyLCD", cg.PollingComponent)
ControlAction = spotify_lcd_ns.enum("ControlAction", is_class=True)

CONF_SERVER = "server"
CONF_UID = "uid"
CONF_ROM = "rom"
CONF_HOME_ASSISTANT = "home_assistant"
CONF_MIN_POLL_INTERVAL = "min_poll_interval"
CONF_MAX_POLL_INTERVAL = "max_poll_interval"
CONF_RETRY_INTERVAL = "retry_interval"
CONF_STALE_AFTER = "stale_after"
CONF_GIVE_UP_AFTER = "give_up_after"
CONF_BACKLIGHT_TIMEOUT = "backlight_timeout"
CONF_BACKLIGHT_OUTPUT = "backlight_output"
CONF_USER_CHARACTERS = "user_characters"
CONF_CONTROL_URL = "control_url"
CONF_BUTTONS = "buttons"
# Set while validating a spotify_lcd.control action: the component then builds its controls.
CONF_CONTROLS_USED = "controls_used"

SIZES = ("16x2", "20x2", "20x4")
ROMS = {"a00": "A00", "a02": "A02", "ascii": "ascii"}
# The server's rule for uid (POST /get answers 400 to anything else).
MAX_UID_LENGTH = 64
# A display refreshed less often than the marquee steps (350 ms) scrolls in jumps.
MARQUEE_STEP = TimePeriodMilliseconds(milliseconds=350)
# The server's actions (src/spotifylcd/control.py), as controls.h names them.
ACTIONS = ("play", "pause", "toggle", "next", "previous", "volume_up", "volume_down")
# The integration's now-playing sensor, whose buttons share its prefix.
NOW_PLAYING_SENSOR = re.compile(r"sensor\.(?P<prefix>\w+)_now_playing")


def validate_uid(value: object) -> str:
    """The account's name on the server, as the server accepts it."""
    uid = cv.string_strict(value).strip()
    if not uid:
        raise cv.Invalid("uid is empty: use the name the account was linked under")
    if len(uid) > MAX_UID_LENGTH or not uid.isprintable():
        raise cv.Invalid(
            f"uid must be printable and at most {MAX_UID_LENGTH} characters "
            "(the server refuses any other)"
        )
    return uid


def validate_rom(value: object) -> str:
    """A00, A02 or ascii, whatever the case."""
    rom = ROMS.get(cv.string_strict(value).lower())
    if rom is None:
        raise cv.Invalid(f"rom must be A00, A02 or ascii, not {value!r}")
    return rom


def validate_action(value: object) -> str:
    """One of the actions POST /control takes."""
    action = cv.string_strict(value).lower()
    if action not in ACTIONS:
        raise cv.Invalid(f"action must be one of {', '.join(ACTIONS)}, not {value!r}")
    return action


def validate_buttons(value: object) -> str:
    """`button.<prefix>`: the integration's buttons are `<prefix>_play_pause` and so on."""
    prefix = cv.string_strict(value)
    if not re.fullmatch(r"button\.\w+", prefix):
        raise cv.Invalid(
            f"buttons must be the integration's button entities without their last part, "
            f"e.g. button.spotify_lcd_livingroom (for button.spotify_lcd_livingroom_next_track), "
            f"not {value!r}"
        )
    return prefix


def _poll_limits(config: dict) -> dict:
    if config[CONF_MIN_POLL_INTERVAL] > config[CONF_MAX_POLL_INTERVAL]:
        raise cv.Invalid(
            f"{CONF_MIN_POLL_INTERVAL} is longer than {CONF_MAX_POLL_INTERVAL}",
            path=[CONF_MIN_POLL_INTERVAL],
        )
    return config


def _stale_before_giving_up(config: dict) -> dict:
    if config[CONF_STALE_AFTER] > config[CONF_GIVE_UP_AFTER]:
        raise cv.Invalid(
            f"{CONF_STALE_AFTER} is longer than {CONF_GIVE_UP_AFTER}", path=[CONF_STALE_AFTER]
        )
    return config


def _control_url(config: dict) -> dict:
    # /get's sibling: .../api/spotify_lcd/get -> .../api/spotify_lcd/control, /get -> /control.
    config.setdefault(CONF_CONTROL_URL, urljoin(config[CONF_URL], "control"))
    return config


def _buttons(config: dict) -> dict:
    if CONF_BUTTONS not in config and (
        sensor := NOW_PLAYING_SENSOR.fullmatch(config[CONF_ENTITY_ID])
    ):
        config[CONF_BUTTONS] = f"button.{sensor['prefix']}"
    return config


SERVER_SCHEMA = cv.All(
    cv.Schema(
        {
            cv.GenerateID(CONF_HTTP_REQUEST_ID): cv.use_id(HttpRequestComponent),
            cv.Required(CONF_URL): validate_url,
            cv.Optional(CONF_CONTROL_URL): validate_url,
            cv.Required(CONF_UID): validate_uid,
            cv.Optional(CONF_KEY, default=""): cv.sensitive(cv.string_strict),
            cv.Optional(CONF_ROM, default="A00"): validate_rom,
            cv.Optional(CONF_MIN_POLL_INTERVAL, default="1s"): cv.positive_time_period_milliseconds,
            cv.Optional(
                CONF_MAX_POLL_INTERVAL, default="30s"
            ): cv.positive_time_period_milliseconds,
            cv.Optional(CONF_RETRY_INTERVAL, default="5s"): cv.positive_time_period_milliseconds,
        }
    ),
    _poll_limits,
    _control_url,
)

HOME_ASSISTANT_SCHEMA = cv.All(
    cv.Schema(
        {
            cv.Required(CONF_ENTITY_ID): cv.entity_id,
            cv.Optional(CONF_ATTRIBUTE, default="lcd_payload"): cv.string_strict,
            cv.Optional(CONF_BUTTONS): validate_buttons,
        }
    ),
    _buttons,
)

CONFIG_SCHEMA = cv.All(
    cv.Schema(
        {
            cv.GenerateID(): cv.declare_id(SpotifyLCD),
            cv.GenerateID(CONF_DISPLAY_ID): cv.use_id(lcd_base.LCDDisplay),
            cv.Optional(CONF_SIZE): cv.one_of(*SIZES, lower=True),
            cv.Optional(CONF_SERVER): SERVER_SCHEMA,
            cv.Optional(CONF_HOME_ASSISTANT): HOME_ASSISTANT_SCHEMA,
            cv.Optional(CONF_STALE_AFTER, default="15s"): cv.positive_time_period_milliseconds,
            cv.Optional(CONF_GIVE_UP_AFTER, default="2min"): cv.positive_time_period_milliseconds,
            # 0s keeps the backlight on.
            cv.Optional(
                CONF_BACKLIGHT_TIMEOUT, default="5min"
            ): cv.positive_time_period_milliseconds,
            cv.Optional(CONF_BACKLIGHT_OUTPUT): cv.use_id(output.BinaryOutput),
        }
    ).extend(cv.polling_component_schema("250ms")),
    cv.only_on_esp32,
    cv.has_exactly_one_key(CONF_SERVER, CONF_HOME_ASSISTANT),
    _stale_before_giving_up,
)


def _declaration(full_config: fv.FinalValidateConfig, id_: object) -> dict:
    return full_config.get_config_for_path(full_config.get_path_for_id(id_)[:-1])


def _final_validate(config: dict) -> None:
    """Check the display and the source this component drives, and fill in the size."""
    full_config = fv.full_config.get()
    _check_display(config, _declaration(full_config, config[CONF_DISPLAY_ID]))
    if server := config.get(CONF_SERVER):
        _check_server(server, _declaration(full_config, server[CONF_HTTP_REQUEST_ID]))
    if home_assistant := config.get(CONF_HOME_ASSISTANT):
        _check_home_assistant(home_assistant, has_api=CONF_API in full_config)


def _check_display(config: dict, display: dict) -> None:
    cols, rows = display[CONF_DIMENSIONS]
    dimensions = f"{cols}x{rows}"
    if dimensions not in SIZES:
        raise cv.Invalid(
            f"the display is {dimensions}; Spotify LCD lays out {', '.join(SIZES)}",
            path=[CONF_DISPLAY_ID],
        )
    # Default from the display, as http_request fills in its watchdog timeout.
    if config.setdefault(CONF_SIZE, dimensions) != dimensions:
        raise cv.Invalid(
            f"size {config[CONF_SIZE]} is not the display's dimensions {dimensions}",
            path=[CONF_SIZE],
        )
    for key in (CONF_LAMBDA, CONF_PAGES, CONF_USER_CHARACTERS):
        if key in display:
            raise cv.Invalid(
                f"remove the display's {key}: spotify_lcd draws the display and loads its "
                "8 custom characters itself",
                path=[CONF_DISPLAY_ID],
            )
    interval = display[CONF_UPDATE_INTERVAL]  # "never" is the longest period
    if interval > MARQUEE_STEP:
        _LOGGER.warning(
            "The display updates every %s: long titles scroll in jumps; 250ms scrolls smoothly",
            interval,
        )


def _check_server(server: dict, http: dict) -> None:
    for key in (CONF_URL, CONF_CONTROL_URL):
        if server[key].startswith("https://") and not http[CONF_VERIFY_SSL]:
            raise cv.Invalid(
                "http_request has verify_ssl: false, so any server could answer for "
                f"{server[key]} and get the device key; keep verify_ssl: true (with "
                "ca_certificate_path for a private CA) or use http:// on your own network",
                path=[CONF_SERVER, key],
            )


def _check_home_assistant(home_assistant: dict, *, has_api: bool) -> None:
    if not has_api:
        raise cv.Invalid(
            "home_assistant needs the native API (api:) to receive the payload",
            path=[CONF_HOME_ASSISTANT],
        )
    if _controls_used() and CONF_BUTTONS not in home_assistant:
        raise cv.Invalid(
            f"spotify_lcd.control presses the integration's buttons, and "
            f"{home_assistant[CONF_ENTITY_ID]} does not say which: set buttons: to their "
            "entity id without the last part, e.g. button.spotify_lcd_livingroom",
            path=[CONF_HOME_ASSISTANT],
        )


FINAL_VALIDATE_SCHEMA = _final_validate


def _controls_used() -> bool:
    return CORE.data.get(DOMAIN, {}).get(CONF_CONTROLS_USED, False)


def _uses_controls(config: dict) -> dict:
    CORE.data.setdefault(DOMAIN, {})[CONF_CONTROLS_USED] = True
    return config


def _action_constant(config: dict, value: str) -> str:  # noqa: ARG001
    return f"{ControlAction}::{value.upper()}"


# `spotify_lcd.control: next`, or `action:` a lambda returning an action's name.
automation.register_apply_action(
    "spotify_lcd.control",
    cv.All(
        cv.maybe_simple_value(
            {
                cv.GenerateID(): cv.use_id(SpotifyLCD),
                cv.Required(CONF_ACTION): cv.templatable(validate_action),
            },
            key=CONF_ACTION,
        ),
        _uses_controls,
    ),
    automation.ApplyField(CONF_ACTION, "control", cg.std_string, _action_constant),
)


def _key_field(server: dict) -> dict[str, str]:
    return {"key": server[CONF_KEY]} if server[CONF_KEY] else {}


def _form(server: dict, size: str) -> str:
    """The /get v2 request body; urlencode escapes whatever uid and key hold."""
    fields = {"v": "2", "uid": server[CONF_UID], "rom": server[CONF_ROM], "size": size}
    return urlencode(fields | _key_field(server))


def _control_form(server: dict) -> str:
    """The POST /control body without its action (added by the firmware), escaped alike."""
    return urlencode({"uid": server[CONF_UID]} | _key_field(server))


async def to_code(config: dict) -> None:
    """The component, the display's writer, and the request or the subscription."""
    var = cg.new_Pvariable(config[CONF_ID])
    await cg.register_component(var, config)
    display_id, display = await cg.get_variable_with_full_id(config[CONF_DISPLAY_ID])
    cols, rows = (int(number) for number in config[CONF_SIZE].split("x"))
    cg.add(var.set_display(display, cols, rows))
    cg.add(
        display.set_writer(
            LambdaExpression(
                f"{var}->draw(it);", [(display_id.type.operator("ref"), "it")], capture=""
            )
        )
    )
    cg.add(var.set_stale_after(config[CONF_STALE_AFTER]))
    cg.add(var.set_give_up_after(config[CONF_GIVE_UP_AFTER]))
    cg.add(var.set_backlight_timeout(config[CONF_BACKLIGHT_TIMEOUT]))
    if CONF_BACKLIGHT_OUTPUT in config:
        backlight = await cg.get_variable(config[CONF_BACKLIGHT_OUTPUT])
        switch = f"{backlight}->set_state(on);"
    elif display_id.type.inherits_from(PCF8574LCDDisplay):
        switch = f"if (on) {{ {display}->backlight(); }} else {{ {display}->no_backlight(); }}"
    else:
        switch = None
    if switch is not None:
        cg.add(var.set_backlight(LambdaExpression(switch, [(cg.bool_, "on")], capture="")))

    controls = _controls_used()
    if controls:
        cg.add_define("USE_SPOTIFY_LCD_CONTROLS")
    if server := config.get(CONF_SERVER):
        cg.add_define("USE_SPOTIFY_LCD_SERVER")
        http = await cg.get_variable(server[CONF_HTTP_REQUEST_ID])
        cg.add(
            var.set_server(
                http, server[CONF_URL], server[CONF_UID], _form(server, config[CONF_SIZE])
            )
        )
        cg.add(
            var.set_poll_intervals(
                server[CONF_MIN_POLL_INTERVAL],
                server[CONF_MAX_POLL_INTERVAL],
                server[CONF_RETRY_INTERVAL],
            )
        )
        if controls:
            cg.add(var.set_control(server[CONF_CONTROL_URL], _control_form(server)))
    if home_assistant := config.get(CONF_HOME_ASSISTANT):
        cg.add_define("USE_SPOTIFY_LCD_HOME_ASSISTANT")
        cg.add_define("USE_API_HOMEASSISTANT_STATES")
        cg.add(
            var.set_home_assistant(home_assistant[CONF_ENTITY_ID], home_assistant[CONF_ATTRIBUTE])
        )
        if controls:
            cg.add_define("USE_API_HOMEASSISTANT_SERVICES")
            cg.add(var.set_buttons(home_assistant[CONF_BUTTONS]))

"""Spotify LCD: what Spotify is playing, on an HD44780 character display (16x2, 20x2, 20x4)."""

import logging
from urllib.parse import urlencode

import esphome.codegen as cg
import esphome.config_validation as cv
import esphome.final_validate as fv
from esphome.components import lcd_base, output
from esphome.components.http_request import (
    CONF_HTTP_REQUEST_ID,
    CONF_VERIFY_SSL,
    HttpRequestComponent,
    validate_url,
)
from esphome.components.lcd_pcf8574.display import PCF8574LCDDisplay
from esphome.const import (
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
from esphome.core import TimePeriodMilliseconds
from esphome.cpp_generator import LambdaExpression

_LOGGER = logging.getLogger(__name__)

CODEOWNERS = ["@spotify-lcd"]
DEPENDENCIES = ["network"]
AUTO_LOAD = ["json"]

spotify_lcd_ns = cg.esphome_ns.namespace("spotify_lcd")
SpotifyLCD = spotify_lcd_ns.class_("SpotifyLCD", cg.PollingComponent)

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

SIZES = ("16x2", "20x2", "20x4")
ROMS = {"a00": "A00", "a02": "A02", "ascii": "ascii"}
# The server's rule for uid (POST /get answers 400 to anything else).
MAX_UID_LENGTH = 64
# A display refreshed less often than the marquee steps (350 ms) scrolls in jumps.
MARQUEE_STEP = TimePeriodMilliseconds(milliseconds=350)


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


SERVER_SCHEMA = cv.All(
    cv.Schema(
        {
            cv.GenerateID(CONF_HTTP_REQUEST_ID): cv.use_id(HttpRequestComponent),
            cv.Required(CONF_URL): validate_url,
            cv.Required(CONF_UID): validate_uid,
            cv.Optional(CONF_KEY, default=""): cv.string_strict,
            cv.Optional(CONF_ROM, default="A00"): validate_rom,
            cv.Optional(CONF_MIN_POLL_INTERVAL, default="1s"): cv.positive_time_period_milliseconds,
            cv.Optional(
                CONF_MAX_POLL_INTERVAL, default="30s"
            ): cv.positive_time_period_milliseconds,
            cv.Optional(CONF_RETRY_INTERVAL, default="5s"): cv.positive_time_period_milliseconds,
        }
    ),
    _poll_limits,
)

HOME_ASSISTANT_SCHEMA = cv.Schema(
    {
        cv.Required(CONF_ENTITY_ID): cv.entity_id,
        cv.Optional(CONF_ATTRIBUTE, default="lcd_payload"): cv.string_strict,
    }
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
    """Check the display and the HTTP client this component drives, and fill in the size."""
    full_config = fv.full_config.get()
    display = _declaration(full_config, config[CONF_DISPLAY_ID])
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
    if server := config.get(CONF_SERVER):
        http = _declaration(full_config, server[CONF_HTTP_REQUEST_ID])
        if server[CONF_URL].startswith("https://") and not http[CONF_VERIFY_SSL]:
            raise cv.Invalid(
                "http_request has verify_ssl: false, so any server could answer for "
                f"{server[CONF_URL]} and get the device key; keep verify_ssl: true (with "
                "ca_certificate_path for a private CA) or use http:// on your own network",
                path=[CONF_SERVER, CONF_URL],
            )
    if CONF_HOME_ASSISTANT in config and CONF_API not in full_config:
        raise cv.Invalid(
            "home_assistant needs the native API (api:) to receive the payload",
            path=[CONF_HOME_ASSISTANT],
        )


FINAL_VALIDATE_SCHEMA = _final_validate


def _form(server: dict, size: str) -> str:
    """The /get v2 request body; urlencode escapes whatever uid and key hold."""
    fields = {"v": "2", "uid": server[CONF_UID], "rom": server[CONF_ROM], "size": size}
    if server[CONF_KEY]:
        fields["key"] = server[CONF_KEY]
    return urlencode(fields)


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
    if home_assistant := config.get(CONF_HOME_ASSISTANT):
        cg.add_define("USE_SPOTIFY_LCD_HOME_ASSISTANT")
        cg.add_define("USE_API_HOMEASSISTANT_STATES")
        cg.add(
            var.set_home_assistant(home_assistant[CONF_ENTITY_ID], home_assistant[CONF_ATTRIBUTE])
        )

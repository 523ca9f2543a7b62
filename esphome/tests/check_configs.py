"""Validate the device files exactly as users get them, offline, with ESPHome itself.

Run with ESPHome's interpreter: `.venv-esphome/bin/python esphome/tests/check_configs.py`.

The device files take their package and the component from this repository on GitHub,
pinned to the release tag. Here git is told (`url.<mirror>.insteadOf`) to fetch that URL
from a local mirror: a repository holding this tree's esphome/ folder under the tag, so
ESPHome runs its own remote-package and external-component code on the files as shipped.
Then: `esphome config` and `compile --only-generate` on every device file, as shipped and
with its buttons and knob packages enabled, the generated /get and /control bodies compiled
with g++ for a hostile uid and key, and configurations the component must refuse, each with
its message.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "esphome"
ESPHOME = Path(sys.executable).parent / "esphome"
REPOSITORY = "https://github.com/spotify-lcd/spotify-lcd"
VERSION = re.search(r'__version__ = "([^"]+)"', (ROOT / "src/spotifylcd/__init__.py").read_text())
TAG = f"v{VERSION.group(1)}" if VERSION else "v?"
REMOTE_REF = re.compile(
    r"github://spotify-lcd/spotify-lcd/\S+@(?P<shorthand>\S+)|^\s+ref: (?P<ref>\S+)", re.MULTILINE
)
# Printable, but full of what breaks a C++ literal or a form body.
HOSTILE_UID = 'Zoë "x" \\ &=+%?#/??/'
HOSTILE_KEY = 'k"e\\y\n&uid=admin%00 ??/ \t é'
# The commented package lines that add buttons and a knob to a device file.
CONTROL_PACKAGE_NAMES = ["buttons", "knob"]
CONTROL_PACKAGES = re.compile(r"^  # (?P<line>(?P<name>buttons|knob): github://\S+)$", re.MULTILINE)


@dataclass
class Results:
    """Counts the checks and prints the failures."""

    passed: int = 0
    failed: int = 0

    def check(self, what: str, *, ok: bool, detail: str = "") -> None:
        """Count one check; print it when it fails."""
        if ok:
            self.passed += 1
            return
        self.failed += 1
        print(f"FAIL {what}\n{detail}".rstrip())


def git(*args: str, cwd: Path) -> None:
    """Run git quietly in `cwd`, as a throwaway author."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "ci", "GIT_AUTHOR_EMAIL": "ci@localhost"}
    env |= {"GIT_COMMITTER_NAME": "ci", "GIT_COMMITTER_EMAIL": "ci@localhost"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def make_mirror(work: Path) -> dict[str, str]:
    """A bare repository with this tree's esphome/ at TAG; the environment that fetches it."""
    source = work / "source"
    shutil.copytree(FIRMWARE, source / "esphome", ignore=shutil.ignore_patterns(".esphome"))
    git("init", "-q", cwd=source)
    git("add", "-A", cwd=source)
    git("commit", "-q", "-m", "release", cwd=source)
    git("tag", TAG, cwd=source)
    bare = work / "spotify-lcd.git"
    git("clone", "-q", "--bare", str(source), str(bare), cwd=work)
    (work / "spotify-lcd").symlink_to(bare)  # the URL may come with or without .git
    return {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.file://{work / 'spotify-lcd'}.insteadOf",
        "GIT_CONFIG_VALUE_0": REPOSITORY,
    }


def esphome(step: list[str], config: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the ESPHome command line on `config`."""
    return subprocess.run(
        [str(ESPHOME), *step, str(config)], env=env, capture_output=True, text=True, check=False
    )


def literal_bytes(literal: str, work: Path) -> bytes:
    """What a C++ string literal holds, as g++ compiles it."""
    program = work / "literal.cpp"
    program.write_text(
        "#include <cstdio>\n"
        f"static const char text[] = {literal};\n"
        "int main() { std::fwrite(text, 1, sizeof(text) - 1, stdout); }\n"
    )
    subprocess.run(
        ["g++", "-std=gnu++20", "-Wno-trigraphs", "-o", str(work / "literal"), str(program)],
        check=True,
    )
    return subprocess.run([str(work / "literal")], capture_output=True, check=True).stdout


def control_bodies(form_literal: str, work: Path) -> list[str]:
    """What controls.h's control_body() makes of a generated form, for every action."""
    program = work / "bodies.cpp"
    program.write_text(
        "#include <cstdio>\n"
        '#include "controls.h"\n'
        "using namespace esphome::spotify_lcd;\n"
        f"static const char form[] = {form_literal};\n"
        "int main() {\n"
        "  for (ControlAction action : CONTROL_ACTIONS)\n"
        '    std::printf("%s\\n", control_body(form, action).c_str());\n'
        "}\n"
    )
    subprocess.run(
        [
            "g++",
            "-std=c++17",
            "-Wno-trigraphs",
            f"-I{FIRMWARE / 'components/spotify_lcd'}",
            "-o",
            str(work / "bodies"),
            str(program),
        ],
        check=True,
    )
    done = subprocess.run([str(work / "bodies")], capture_output=True, check=True, text=True)
    return done.stdout.splitlines()


def with_controls(device: Path) -> str:
    """The device file with its buttons and knob packages uncommented."""
    return CONTROL_PACKAGES.sub(r"  \g<line>", device.read_text())


def server_actions() -> list[str]:
    """The values of ControlAction in src/spotifylcd/control.py, in order."""
    source = (ROOT / "src/spotifylcd/control.py").read_text()
    enum = source.split("class ControlAction", 1)[1].split("\n\n\n", 1)[0]
    return re.findall(r'^    [A-Z_]+ = "(\w+)"$', enum, flags=re.MULTILINE)


def check_action_names(results: Results) -> None:
    """The component's schema takes exactly the server's actions."""
    component = (FIRMWARE / "components/spotify_lcd/__init__.py").read_text()
    schema = re.search(r"^ACTIONS = \((.*)\)$", component, flags=re.MULTILINE)
    names = re.findall(r'"(\w+)"', schema[1]) if schema else []
    results.check(
        "spotify_lcd.control takes the server's actions",
        ok=bool(names) and names == server_actions(),
        detail=f"component: {names}, server: {server_actions()}",
    )


def check_pins(results: Results) -> None:
    """Every remote reference in the shipped YAML names the release tag."""
    for path in [*sorted(FIRMWARE.glob("*.yaml")), FIRMWARE / "packages/base.yaml"]:
        refs = [m["shorthand"] or m["ref"] for m in REMOTE_REF.finditer(path.read_text())]
        results.check(
            f"{path.relative_to(ROOT)} pins {TAG}",
            ok=bool(refs) and all(ref == TAG for ref in refs),
            detail=f"refs found: {refs}",
        )


def check_answer_budget(results: Results) -> None:
    """The firmware reads as much as ESPHome's own http_request action does by default."""
    # Imported here: only ESPHome's interpreter has it.
    from esphome.components.http_request import (  # noqa: PLC0415
        CONF_MAX_RESPONSE_BUFFER_SIZE,
        HTTP_REQUEST_ACTION_SCHEMA,
    )
    from esphome.config_validation import validate_bytes  # noqa: PLC0415

    default = next(
        key.default()
        for key in HTTP_REQUEST_ACTION_SCHEMA.schema
        if key == CONF_MAX_RESPONSE_BUFFER_SIZE
    )
    header = (FIRMWARE / "components/spotify_lcd/firmware.h").read_text()
    budget = re.search(r"MAX_ANSWER_BYTES = (\d+);", header)
    results.check(
        "MAX_ANSWER_BYTES is ESPHome's default response buffer",
        ok=budget is not None and int(budget[1]) == validate_bytes(default),
        detail=f"ESPHome: {default!r} = {validate_bytes(default)} bytes",
    )


def generate(config: Path, label: str, env: dict[str, str], results: Results) -> Path | None:
    """Validate `config` and generate its C++; the generated sources, if there are any."""
    for step in (["config"], ["compile", "--only-generate"]):
        done = esphome(step, config, env)
        command = f"esphome {' '.join(step)}: {label}"
        results.check(command, ok=done.returncode == 0, detail=done.stdout[-3000:])
        print(f"{command} {'OK' if done.returncode == 0 else 'FAILED'}")
    build = config.parent / ".esphome/build" / config.stem / "src"
    return build if (build / "main.cpp").exists() else None


def check_device_files(work: Path, env: dict[str, str], results: Results) -> None:
    """`esphome config` and code generation of every device file, and what was generated."""
    for device in sorted(FIRMWARE.glob("*.yaml")):
        config = work / device.name
        shutil.copy(device, config)
        build = generate(config, f"esphome/{device.name}", env, results)
        if build is None:
            continue
        main = (build / "main.cpp").read_text()
        results.check(f"{device.name}: draws the display", ok="->draw(it);" in main)
        switch = "->set_state(on);" if "gpio" in device.name else "->no_backlight();"
        results.check(f"{device.name}: switches the backlight", ok=switch in main)
        defines = (build / "esphome/core/defines.h").read_text()
        source = "HOME_ASSISTANT" if "-ha" in device.name else "SERVER"
        results.check(f"{device.name}: {source}", ok=f"USE_SPOTIFY_LCD_{source}" in defines)
        results.check(
            f"{device.name}: no buttons, no controls compiled in",
            ok="USE_SPOTIFY_LCD_CONTROLS" not in defines and "->control(" not in main,
        )


def check_device_files_with_controls(work: Path, env: dict[str, str], results: Results) -> None:
    """Every device file with its buttons and knob packages enabled, as the guide says."""
    for device in sorted(FIRMWARE.glob("*.yaml")):
        results.check(
            f"{device.name} offers the buttons and knob packages",
            ok=[m["name"] for m in CONTROL_PACKAGES.finditer(device.read_text())]
            == CONTROL_PACKAGE_NAMES,
        )
        config = work / device.name
        config.write_text(with_controls(device))
        build = generate(config, f"esphome/{device.name} with buttons and knob", env, results)
        if build is None:
            continue
        main = (build / "main.cpp").read_text()
        defines = (build / "esphome/core/defines.h").read_text()
        results.check(
            f"{device.name} with buttons: controls compiled in",
            ok="USE_SPOTIFY_LCD_CONTROLS" in defines,
        )
        pressed = set(re.findall(r"->control\(\S*ControlAction::(\w+)\);", main))
        results.check(
            f"{device.name} with buttons: every button and the knob send their action",
            ok=pressed == {"PREVIOUS", "TOGGLE", "NEXT", "VOLUME_UP", "VOLUME_DOWN"},
            detail=f"sent: {sorted(pressed)}",
        )
        if "-ha" in device.name:
            results.check(
                f"{device.name} with buttons: presses the integration's buttons",
                ok='->set_buttons("button.spotify_lcd_livingroom");' in main
                and "USE_API_HOMEASSISTANT_SERVICES" in defines,
            )
        else:
            results.check(
                f"{device.name} with buttons: POSTs to /control beside /get",
                ok='->set_control("http://homeassistant.local:8123/api/spotify_lcd/control", '
                in main,
            )


def check_hostile_secrets(work: Path, env: dict[str, str], results: Results) -> None:
    """Defect 6: a uid and key full of quotes, backslashes and form syntax arrive intact."""
    secrets = (FIRMWARE / "secrets.yaml.example").read_text()
    for name, value in (("spotify_lcd_uid", HOSTILE_UID), ("spotify_lcd_device_key", HOSTILE_KEY)):
        line = f"{name}: {quote_yaml(value)}"
        secrets = re.sub(rf"^{name}: .*$", lambda _, line=line: line, secrets, flags=re.MULTILINE)
    hostile = work / "hostile"
    hostile.mkdir()
    (hostile / "secrets.yaml").write_text(secrets)
    config = hostile / "spotify-lcd.yaml"
    config.write_text(with_controls(FIRMWARE / "spotify-lcd.yaml"))
    done = esphome(["compile", "--only-generate"], config, env)
    results.check(
        "hostile uid and key: code generation", ok=done.returncode == 0, detail=done.stdout[-3000:]
    )
    if done.returncode != 0:
        return
    main = (hostile / ".esphome/build/spotify-lcd/src/main.cpp").read_text()
    literal = r'("(?:[^"\\]|\\.)*")'
    call = re.search(rf"->set_server\(\w+, {literal}, {literal}, {literal}\);", main)
    results.check("hostile uid and key: set_server() in main.cpp", ok=call is not None)
    if call is None:
        return
    uid, form = literal_bytes(call[2], work), literal_bytes(call[3], work)
    results.check(
        "the uid survives its C++ literal", ok=uid == HOSTILE_UID.encode(), detail=repr(uid)
    )
    sent = {"v": "2", "uid": HOSTILE_UID, "rom": "A00", "size": "16x2", "key": HOSTILE_KEY}
    results.check(
        "the form body compiles to the urlencoded fields",
        ok=form == urlencode(sent).encode(),
        detail=repr(form),
    )
    # As the server reads it (contract.py parses the body with parse_qsl, strictly).
    read = dict(parse_qsl(form.decode(), keep_blank_values=True, encoding="utf-8", errors="strict"))
    results.check(
        "the server reads back exactly the uid and key", ok=read == sent, detail=repr(read)
    )
    control = re.search(rf"->set_control\({literal}, {literal}\);", main)
    results.check("hostile uid and key: set_control() in main.cpp", ok=control is not None)
    if control is None:
        return
    bodies = control_bodies(control[2], work)
    read_bodies = [
        parse_qsl(body, keep_blank_values=True, encoding="utf-8", errors="strict")
        for body in bodies
    ]
    results.check(
        "every /control body reads back as the uid, the key and one action",
        ok=read_bodies
        == [
            [("uid", HOSTILE_UID), ("key", HOSTILE_KEY), ("action", action)]
            for action in server_actions()
        ],
        detail="\n".join(bodies),
    )


def quote_yaml(text: str) -> str:
    """`text` as a double-quoted YAML scalar."""
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    )
    return f'"{escaped}"'


# A device on the remote package, for the configurations the component must refuse.
MINIMAL_DEVICE = """
substitutions:
  lcd_size: {size}
packages:
  spotify_lcd: github://spotify-lcd/spotify-lcd/esphome/packages/pcf8574.yaml@{tag}
esphome:
  name: refused
esp32:
  board: esp32dev
wifi:
  ssid: lan
  password: lan-password
{extra}"""
POLLING = "http_request:\nspotify_lcd:\n  server:\n    url: {url}\n    uid: {uid}\n{more}"
HOME_ASSISTANT = "api:\nspotify_lcd:\n  home_assistant:\n    entity_id: {entity_id}\n{more}"
# A control sent every minute, as a button would send it.
CONTROL = "interval:\n  - interval: 1min\n    then:\n      - spotify_lcd.control: {action}\n"


def polling(url: str = "http://example.com/get", uid: str = "me", more: str = "") -> str:
    """The polling part of a device, with one thing changed."""
    return POLLING.format(url=url, uid=uid, more=more)


# (what is wrong, display size, the rest of the device, the message that must name it)
REFUSED = [
    (
        "a size other than the display's",
        "16x2",
        polling(more="  size: 20x4\n"),
        "size 20x4 is not the display's dimensions 16x2",
    ),
    ("a display size it cannot lay out", "40x2", polling(), "the display is 40x2"),
    (
        "unverified TLS to an https server",
        "16x2",
        polling(url="https://example.com/get").replace(
            "http_request:", "http_request:\n  verify_ssl: false"
        ),
        "verify_ssl: false",
    ),
    ("an empty uid", "16x2", polling(uid="' '"), "uid is empty"),
    ("a uid the server refuses", "16x2", polling(uid="x" * 65), "at most 64 characters"),
    ("an unknown ROM", "16x2", polling(more="    rom: A01\n"), "rom must be A00, A02 or ascii"),
    (
        "polling and Home Assistant at once",
        "16x2",
        polling(more="  home_assistant:\n    entity_id: sensor.x\n"),
        "Cannot specify more than one of server, home_assistant",
    ),
    (
        "Home Assistant without the API",
        "16x2",
        "spotify_lcd:\n  home_assistant:\n    entity_id: sensor.x\n",
        "needs the native API",
    ),
    (
        "a display lambda of its own",
        "16x2",
        polling()
        + "display:\n  - id: !extend spotify_lcd_display\n    lambda: 'it.print(\"x\");'\n",
        "remove the display's lambda",
    ),
    (
        "poll limits the wrong way round",
        "16x2",
        polling(more="    min_poll_interval: 1min\n"),
        "min_poll_interval is longer than max_poll_interval",
    ),
    (
        "an action the server does not have",
        "16x2",
        polling() + CONTROL.format(action="shuffle"),
        "action must be one of play, pause, toggle, next, previous, volume_up, volume_down",
    ),
    (
        "controls sent unverified to an https server",
        "16x2",
        polling(more="    control_url: https://example.com/control\n").replace(
            "http_request:", "http_request:\n  verify_ssl: false"
        )
        + CONTROL.format(action="next"),
        "verify_ssl: false",
    ),
    (
        "Home Assistant controls without buttons to press",
        "16x2",
        HOME_ASSISTANT.format(entity_id="sensor.kitchen_display", more="")
        + CONTROL.format(action="next"),
        "set buttons: to their entity id without the last part",
    ),
    (
        "buttons that are not button entities",
        "16x2",
        HOME_ASSISTANT.format(
            entity_id="sensor.kitchen_display", more="    buttons: light.kitchen\n"
        ),
        "buttons must be the integration's button entities without their last part",
    ),
]


def check_refusals(work: Path, env: dict[str, str], results: Results) -> None:
    """Each bad configuration fails `esphome config` with a message saying what to change."""
    for index, (name, size, extra, message) in enumerate(REFUSED):
        config = work / f"refused-{index}.yaml"
        config.write_text(MINIMAL_DEVICE.format(size=size, tag=TAG, extra=extra))
        done = esphome(["config"], config, env)
        results.check(
            f"refused with a clear message: {name}",
            ok=done.returncode != 0 and message in done.stdout,
            detail=done.stdout[-2500:],
        )
    accepted = work / "accepted.yaml"
    accepted.write_text(MINIMAL_DEVICE.format(size="20x4", tag=TAG, extra=polling()))
    done = esphome(["config"], accepted, env)
    results.check(
        "the size defaults to the display's",
        ok=done.returncode == 0 and "size: 20x4" in done.stdout,
        detail=done.stdout[-2500:],
    )


def check_control_lambdas(work: Path, env: dict[str, str], results: Results) -> None:
    """An action from a lambda, and a server URL whose /control is not /get's sibling."""
    lambda_control = CONTROL.format(
        action='!lambda \'return id(knob_up).state ? "volume_up" : "volume_down";\''
    )
    extra = (
        polling(url="http://example.com:5000/", more="    control_url: http://other:5000/ctl\n")
        + lambda_control
        + "binary_sensor:\n  - platform: template\n    id: knob_up\n"
    )
    config = work / "lambda.yaml"
    config.write_text(MINIMAL_DEVICE.format(size="16x2", tag=TAG, extra=extra))
    done = esphome(["compile", "--only-generate"], config, env)
    results.check(
        "an action from a lambda: code generation", ok=done.returncode == 0, detail=done.stdout
    )
    main = work / ".esphome/build/refused/src/main.cpp"
    generated = main.read_text() if main.exists() else ""
    results.check(
        "a lambda's action is computed when it runs",
        ok='->control(knob_up->state ? "volume_up" : "volume_down");' in generated,
        detail="\n".join(line for line in generated.splitlines() if "->control(" in line),
    )
    results.check(
        "control_url: as given",
        ok='->set_control("http://other:5000/ctl", "uid=me");' in generated,
    )


def main() -> int:
    """Every check; the summary line, and 1 if any failed."""
    results = Results()
    check_pins(results)
    check_answer_budget(results)
    check_action_names(results)
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        env = make_mirror(work / "mirror")
        devices = work / "devices"
        devices.mkdir()
        shutil.copy(FIRMWARE / "secrets.yaml.example", devices / "secrets.yaml")
        check_device_files(devices, env, results)
        with_buttons = work / "with-buttons"
        with_buttons.mkdir()
        shutil.copy(FIRMWARE / "secrets.yaml.example", with_buttons / "secrets.yaml")
        check_device_files_with_controls(with_buttons, env, results)
        check_hostile_secrets(work, env, results)
        check_refusals(work, env, results)
        check_control_lambdas(work, env, results)
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())

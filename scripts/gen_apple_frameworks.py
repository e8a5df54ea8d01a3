"""Write src/cgotrap/data/apple_frameworks.json: the frameworks of Apple's SDKs.

A cgo preamble on darwin or ios that includes `<CoreFoundation/CoreFoundation.h>` gets the
header from a framework of the macOS/iOS SDK, not from a C library to install: a native
build with Xcode finds it, a cross build with zig (which ships the SDK's libc headers but
no framework) does not. No SDK is available offline to list its frameworks, so the names
are curated here by hand, spelled as Apple's documentation names the frameworks
(developer.apple.com/documentation) and as their directories are named under an SDK's
System/Library/Frameworks. A package's own `#cgo LDFLAGS: -framework NAME` marks NAME as
a framework too, listed here or not, so a missing name costs only the better message.

Usage: python scripts/gen_apple_frameworks.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # scripts/datafile.py

from datafile import write_or_check

OUT = Path(__file__).resolve().parents[1] / "src" / "cgotrap" / "data" / "apple_frameworks.json"

FRAMEWORKS = (
    "Accelerate", "Accessibility", "AddressBook", "AppKit", "AppleScriptKit",
    "ApplicationServices", "AudioToolbox", "AudioUnit", "AuthenticationServices",
    "AVFoundation", "AVKit", "Carbon", "CFNetwork", "Cocoa", "Contacts", "CoreAudio",
    "CoreAudioKit", "CoreBluetooth", "CoreData", "CoreFoundation", "CoreGraphics",
    "CoreImage", "CoreLocation", "CoreMedia", "CoreMIDI", "CoreML", "CoreServices",
    "CoreSpotlight", "CoreTelephony", "CoreText", "CoreVideo", "CoreWLAN", "CryptoKit",
    "CryptoTokenKit", "DiskArbitration", "EventKit", "ExceptionHandling", "FileProvider",
    "Foundation", "GameController", "GameKit", "GLKit", "GSS", "Hypervisor", "ImageIO",
    "IOBluetooth", "IOKit", "IOSurface", "JavaScriptCore", "Kerberos", "LocalAuthentication",
    "MediaPlayer", "Metal", "MetalKit", "MetalPerformanceShaders", "MultipeerConnectivity",
    "NetworkExtension", "Network", "OpenAL", "OpenCL", "OpenDirectory", "OpenGL", "OpenGLES",
    "Photos", "QuartzCore", "Quartz", "ScreenCaptureKit", "ScriptingBridge", "Security",
    "SecurityFoundation", "SecurityInterface", "ServiceManagement", "StoreKit",
    "SystemConfiguration", "UIKit", "UniformTypeIdentifiers", "UserNotifications",
    "VideoToolbox", "Virtualization", "Vision", "WebKit",
)  # fmt: skip


def render() -> str:
    """The data file's text."""
    data = {
        "version": 1,
        "source": (
            "curated by hand in scripts/gen_apple_frameworks.py from Apple's framework "
            "documentation (no SDK offline to generate it from)"
        ),
        "frameworks": sorted(set(FRAMEWORKS), key=str.lower),
    }
    return json.dumps(data, indent=2) + "\n"


def main() -> int:
    """Write (or --check) the data file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args()
    return write_or_check(OUT, render(), check=args.check, script=Path(__file__).name)


if __name__ == "__main__":
    raise SystemExit(main())

"""How long the scanner page takes to decide a scan on its own, offline, in Chromium.

    .venv/bin/python benchmarks/scanner_offline.py [--scans 1000] [--badges 3000]

The page's rule (static/js/checkin-decide.js) runs on a snapshot the size of the demo edition
(3,000 badges, a third of them inside) for distinct signed badges, one after another, each
verified with Ed25519 (WebCrypto, as on a phone on https or localhost) and then, for
comparison, with the vendored TweetNaCl (what the page uses where WebCrypto lacks Ed25519).
The goal is under 5 ms a scan. The last line is JSON with offline_decide_p50_ms,
offline_decide_p99_ms and offline_decide_nacl_p50_ms.
"""

import argparse
import base64
import json
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FOLDER = tempfile.mkdtemp(prefix="bench-scanner-")
os.environ["INSTANCE_PATH"] = FOLDER
os.environ["DATABASE_URL"] = f"sqlite:///{FOLDER}/bench.db"

from werkzeug.serving import make_server  # noqa: E402

from conference import create_app  # noqa: E402
from conference.badges import signing  # noqa: E402
from conference.badges.signing import Claim  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
MEASURE = """async ([snapshot, payloads, useNacl]) => {
    if (useNacl) Object.defineProperty(window.crypto, "subtle", {value: undefined});
    const times = [];
    let admitted = 0;
    for (const payload of payloads) {
        const start = performance.now();
        const decision = await CheckinDecide.decide(snapshot, payload, "entry", Date.now());
        CheckinDecide.apply(snapshot, decision);
        times.push(performance.now() - start);
        if (decision.result === "admitted") admitted += 1;
    }
    return {times, admitted};
}"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--badges", type=int, default=3000)
    args = parser.parse_args()

    key = signing.new_key()
    public = base64.urlsafe_b64encode(signing.raw_public(key)).decode().rstrip("=")
    badges = {str(i): {"v": 1, "s": "active", "c": "guest", "h": False, "n": "测试"} for i in range(1, args.badges + 1)}
    snapshot = {"edition": 2023, "public_key": public, "badges": badges,
                "rule": {"categories": ["guest", "media"], "zone_mask": 3, "session": False, "opens_at": None,
                         "closes_at": None, "mode": "entry", "reentry": True},
                "inside": list(range(1, args.badges // 3)), "entered": list(range(1, args.badges // 3))}
    outside = range(args.badges // 3, args.badges + 1)
    payloads = [signing.sign(key, Claim(2023, outside[i % len(outside)], 1, 3)) for i in range(args.scans)]

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
        for label, use_nacl in (("webcrypto", False), ("tweetnacl", True)):
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/scan/")
            page.evaluate(MEASURE, [snapshot, payloads[:50], use_nacl])  # warm up: key import, JIT
            results[label] = page.evaluate(MEASURE, [json.loads(json.dumps(snapshot)), payloads, use_nacl])
            page.close()
        browser.close()
    server.shutdown()

    print(f"{'verifier':<12}{'scans':>8}{'admitted':>10}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for label, found in results.items():
        times = found["times"]
        print(f"{label:<12}{len(times):>8}{found['admitted']:>10}{percentile(times, .5):>10.3f}"
              f"{percentile(times, .99):>10.3f}{max(times):>10.3f}")
    print("goal: under 5 ms a scan")
    print(json.dumps({
        "offline_decide_p50_ms": round(percentile(results["webcrypto"]["times"], .5), 3),
        "offline_decide_p99_ms": round(percentile(results["webcrypto"]["times"], .99), 3),
        "offline_decide_nacl_p50_ms": round(percentile(results["tweetnacl"]["times"], .5), 3),
    }))


if __name__ == "__main__":
    main()

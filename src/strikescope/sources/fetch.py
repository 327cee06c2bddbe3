"""Fresh copies of the public data sets, where a network exists.

* attacks: the Kaggle dataset `piterfm/massive-missile-attacks-on-ukraine`, through
  `kagglehub` and the user's own Kaggle credentials (Kaggle requires them);
* alerts: the Ukrainian air raid sirens dataset (MIT), plain CSV files on GitHub;
* weather: the Open-Meteo historical archive (CC BY 4.0), no key needed.

Files are written under a data directory laid out like `../shared/data`, so that
`strikescope ingest DIR/attacks` and the analysis functions read them as they are.
Downloads go to a temporary file first and replace the old copy only when complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import httpx
import platformdirs

KAGGLE_DATASET = "piterfm/massive-missile-attacks-on-ukraine"
ALERTS_BASE = ("https://raw.githubusercontent.com/Vadimkin/ukrainian-air-raid-sirens-dataset/"
               "main/datasets/")
ALERT_FILES = ("official_data_en.csv", "volunteer_data_en.csv")


class FetchError(RuntimeError):
    """A download failed or its tool is missing; the message says what to do."""


def default_fetch_dir() -> Path:
    return Path(platformdirs.user_data_dir("strikescope")) / "data"


def _replace(tmp: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, target)
    return target


def download(url: str, target: Path, client: httpx.Client | None = None) -> Path:
    """Stream `url` into `target` atomically; raise FetchError with the URL on failure."""
    own = client is None
    client = client or httpx.Client(timeout=60.0, follow_redirects=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh, client.stream("GET", url) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                fh.write(chunk)
        return _replace(Path(name), target)
    except httpx.HTTPError as exc:
        Path(name).unlink(missing_ok=True)
        raise FetchError(f"could not download {url}: {exc}") from None
    finally:
        if own:
            client.close()


def fetch_alerts(dest: Path | None = None, client: httpx.Client | None = None) -> list[Path]:
    """Both siren files into DEST/alerts/."""
    dest = Path(dest or default_fetch_dir())
    return [download(ALERTS_BASE + name, dest / "alerts" / name, client) for name in ALERT_FILES]


def fetch_attacks(dest: Path | None = None) -> list[Path]:
    """The Air Force attack data from Kaggle into DEST/attacks/ (needs `kagglehub`)."""
    try:
        import kagglehub
    except ImportError:
        raise FetchError(
            "fetching the attack data needs kagglehub and your Kaggle credentials: "
            "pip install kagglehub, then set KAGGLE_USERNAME and KAGGLE_KEY (or "
            "~/.kaggle/kaggle.json); or download the dataset "
            f"{KAGGLE_DATASET} yourself and run `strikescope ingest` on its CSV files"
        ) from None
    try:
        folder = Path(kagglehub.dataset_download(KAGGLE_DATASET))
    except Exception as exc:  # noqa: BLE001 - any client failure becomes one clear message
        raise FetchError(f"could not download {KAGGLE_DATASET} from Kaggle: {exc}") from None
    dest = Path(dest or default_fetch_dir()) / "attacks"
    copied = []
    for src in sorted(folder.rglob("*.csv")):
        target = dest / src.relative_to(folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        copied.append(Path(shutil.copyfile(src, target)))
    if not copied:
        raise FetchError(f"{KAGGLE_DATASET}: the download holds no CSV file ({folder})")
    return copied


def fetch_weather(start, end, dest: Path | None = None, client: httpx.Client | None = None
                  ) -> Path:
    """Open-Meteo night weather for nights start..end into DEST/weather/weather_by_date.csv,
    in the columns of the bundled file (read it back with `weather.read_weather`)."""
    from strikescope.weather import fetch_open_meteo

    try:
        frame = fetch_open_meteo(start, end, client=client)
    except httpx.HTTPError as exc:
        raise FetchError(f"could not fetch weather from Open-Meteo: {exc}") from None
    target = Path(dest or default_fetch_dir()) / "weather" / "weather_by_date.csv"
    out = frame.reset_index().rename(columns={"night": "date"})
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    fd, name = tempfile.mkstemp(dir=_parent(target), suffix=".part")
    os.close(fd)
    out.to_csv(name, index=False)
    return _replace(Path(name), target)


def _parent(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent

"""Getting CSV text out of a file, a folder or a zip archive, with errors that name the file."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from imu_reader._errors import InputFileError
from imu_reader.csvio._table import first_line

# Folders that archivers add and that never hold export data: macOS resource forks, and
# phyphox's device and time metadata (kept apart from the data sets by the app itself).
_IGNORED_FOLDERS = frozenset({"__macosx", "meta"})
# Enough of a file to see its header line.
_HEAD_BYTES = 65536


def decode_text(data: bytes, display: Path) -> str:
    """UTF-8 text of a file (a byte-order mark is dropped), lines joined by LF.

    Raises:
        InputFileError: the bytes are not UTF-8 text.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(display, f"not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    if "\x00" in text:
        raise InputFileError(display, "binary data, not CSV text")
    # Windows line ends would otherwise leave a CR on every last field.
    return text.replace("\r\n", "\n")


def read_head(path: Path) -> str:
    """The first line of a file (for recognising its layout), '' if empty or unreadable."""
    try:
        with path.open("rb") as f:
            data = f.read(_HEAD_BYTES)
    except OSError:
        return ""
    return first_line(data.decode("utf-8-sig", errors="replace"))


def read_text_file(path: Path) -> str:
    """Text of one file on disk.

    Raises:
        InputFileError: the file is missing, a directory, unreadable or not UTF-8 text.
    """
    if not path.exists():
        raise InputFileError(path, "no such file")
    if path.is_dir():
        raise InputFileError(path, "is a folder, expected a CSV file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None
    return decode_text(data, path)


@dataclass(frozen=True)
class Member:
    """One CSV file of an export bundle.

    Attributes:
        name: its path inside the bundle with '/' separators, without the bundle's single
            top folder if it has one (e.g. `Gyroscope.csv`).
        display: the path error messages show: `folder/Gyroscope.csv` or `export.zip/Gyroscope.csv`.
    """

    name: str
    display: Path

    @property
    def basename(self) -> str:
        """The file name without folders."""
        return PurePosixPath(self.name).name


class ExportBundle:
    """The CSV files of a phone export given as a folder or as a .zip archive.

    Only files at the top level count, or inside the single folder that holds everything
    (unpacking an archive often adds one). phyphox's `meta/` folder is skipped.
    """

    def __init__(self, path: Path) -> None:
        """Open `path`, a folder or a zip archive.

        Raises:
            InputFileError: `path` is missing, or a damaged zip archive.
        """
        self.path = path
        self.is_zip = path.is_file() and zipfile.is_zipfile(path)
        self._zip_prefix = ""
        if self.is_zip:
            self._zip_prefix, names = self._zip_names()
        elif path.is_dir():
            names = self._folder_names()
        else:
            raise InputFileError(path, "expected a folder or a .zip archive")
        self.members = tuple(Member(name, path / name) for name in sorted(names))

    def _zip_names(self) -> tuple[str, list[str]]:
        try:
            with zipfile.ZipFile(self.path) as archive:
                names = [info.filename for info in archive.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputFileError(self.path, f"not a readable zip archive: {exc}") from None
        parts = [PurePosixPath(n).parts for n in names if n.lower().endswith(".csv")]
        parts = [p for p in parts if p and p[0].lower() not in _IGNORED_FOLDERS]
        tops = {p[0] for p in parts if len(p) > 1}
        if len(tops) == 1 and all(len(p) > 1 for p in parts):
            # Everything sits in one folder: look inside it.
            parts = [p[1:] for p in parts]
            prefix = next(iter(tops)) + "/"
        else:
            prefix = ""
        return prefix, [p[0] for p in parts if len(p) == 1]

    def _folder_names(self) -> list[str]:
        csvs = [p.name for p in self.path.iterdir() if p.is_file() and p.suffix.lower() == ".csv"]
        if csvs:
            return csvs
        subfolders = [p for p in self.path.iterdir() if p.is_dir() and p.name.lower() not in _IGNORED_FOLDERS]
        if len(subfolders) == 1:
            inner = subfolders[0]
            return [
                f"{inner.name}/{p.name}"
                for p in inner.iterdir()
                if p.is_file() and p.suffix.lower() == ".csv"
            ]
        return []

    def find(self, basename: str) -> Member | None:
        """The member called `basename`, ignoring letter case, or None."""
        wanted = basename.lower()
        for member in self.members:
            if member.basename.lower() == wanted:
                return member
        return None

    def head(self, member: Member) -> str:
        """The first line of a member (for recognising its layout), '' if unreadable."""
        try:
            if self.is_zip:
                with zipfile.ZipFile(self.path) as archive, archive.open(self._zip_prefix + member.name) as f:
                    data = f.read(_HEAD_BYTES)
            else:
                with (self.path / member.name).open("rb") as f:
                    data = f.read(_HEAD_BYTES)
        except (zipfile.BadZipFile, OSError, KeyError):
            return ""
        return first_line(data.decode("utf-8-sig", errors="replace"))

    def read_text(self, member: Member) -> str:
        """Text of one member.

        Raises:
            InputFileError: the member cannot be read or is not UTF-8 text.
        """
        if not self.is_zip:
            return read_text_file(self.path / member.name)
        try:
            with zipfile.ZipFile(self.path) as archive:
                data = archive.read(self._zip_prefix + member.name)
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise InputFileError(member.display, f"cannot read from the archive: {exc}") from None
        return decode_text(data, member.display)

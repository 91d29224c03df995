"""The ``.qdpx`` zip, read defensively.

A project file comes from outside, so every archive is checked before anything
in it is used: member paths (no ``..``, nothing absolute), the declared
uncompressed size of all members (default limit 512 MiB, configurable), and,
because declared sizes can lie, the bytes actually decompressed, which are
counted as they are streamed. A truncated or corrupt archive is refused with
one line naming it. Nothing is ever extracted to disk.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from ...errors import UserInputError

DEFAULT_LIMIT = 512 * 1024 * 1024  # bytes uncompressed, all members together
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_member(name: str) -> bool:
    """Is a member path absolute or does it climb out with ``..``?

    >>> [unsafe_member(n) for n in ("sources/a.txt", "../a.txt", "/etc/passwd", "C:/x", "a/../../b")]
    [False, True, True, True, True]
    """
    posix = name.replace("\\", "/")
    return posix.startswith("/") or _DRIVE.match(posix) is not None or ".." in PurePosixPath(posix).parts


class Archive:
    """A ``.qdpx`` archive: its one ``.qde`` and its sources, looked up case-insensitively.

    Parameters
    ----------
    path : Path
    limit : int
        Largest number of uncompressed bytes read from the archive in all.

    Raises
    ------
    UserInputError
        Not a zip, a truncated zip, an unsafe member path, declared sizes over
        ``limit``, or not exactly one ``.qde``.
    """

    def __init__(self, path: Path, limit: int = DEFAULT_LIMIT):
        self.name = Path(path).name
        self.limit = limit
        self.read_so_far = 0
        self.streams: list[_Counted] = []
        try:
            self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise UserInputError(f"{self.name}: not a REFI-QDA project (.qdpx is a zip file): {exc}") from None
        try:
            self._check(infos)
        except UserInputError:
            self.zf.close()
            raise
        names = [i.filename for i in infos if not i.is_dir()]
        self.members = {i.filename: i for i in infos}
        qdes = [n for n in names if n.lower().endswith(".qde") and not PurePosixPath(n).name.startswith("._")]
        if len(qdes) != 1:
            self.zf.close()
            found = ", ".join(qdes) if qdes else "none"
            raise UserInputError(f"{self.name}: expected exactly one .qde file in the project, found {found}")
        self.qde = qdes[0]
        base = str(PurePosixPath(self.qde).parent)
        self.base = "" if base == "." else base + "/"
        self.sources: dict[str, str] = {}  # lower-case path below sources/ -> member
        self.files: dict[str, str] = {}  # lower-case path below the .qde's folder -> member
        for n in names:
            if not n.startswith(self.base):
                continue
            rel = n[len(self.base):]
            self.files[rel.lower()] = n
            parts = rel.split("/")
            if len(parts) >= 2 and parts[0].lower() == "sources":
                self.sources["/".join(parts[1:]).lower()] = n

    def _check(self, infos: list[zipfile.ZipInfo]) -> None:
        for info in infos:
            if unsafe_member(info.filename):
                raise UserInputError(f"{self.name}: member {info.filename!r} has an absolute or '..' path; refused")
        declared = sum(i.file_size for i in infos)
        if declared > self.limit:
            raise UserInputError(
                f"{self.name}: members declare {declared} bytes uncompressed, over the limit of {self.limit} bytes; refused"
            )

    def close(self) -> None:
        for stream in self.streams:
            stream.close()
        self.zf.close()

    def read(self, member: str) -> bytes:
        """The bytes of ``member``, streamed and counted against the limit."""
        parts = []
        try:
            with self.zf.open(member) as fh:
                while chunk := fh.read(_CHUNK):
                    self.read_so_far += len(chunk)
                    if self.read_so_far > self.limit:
                        raise UserInputError(
                            f"{self.name}: more than {self.limit} bytes uncompressed (the declared sizes are wrong); refused"
                        )
                    parts.append(chunk)
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise UserInputError(f"{self.name}: member {member!r} cannot be read (truncated or corrupt archive): {exc}") from None
        return b"".join(parts)

    def read_qde(self) -> bytes:
        return self.read(self.qde)

    def open(self, member: str) -> "_Counted":
        """A file object streaming ``member``, counted against the limit and refusing DTDs and entities."""
        try:
            with self.zf.open(member) as peek:
                refuse_encoding(peek.read(_HEAD), self.name, PurePosixPath(member).name)
            stream = _Counted(self, member, self.zf.open(member))
            self.streams.append(stream)
            return stream
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise UserInputError(f"{self.name}: member {member!r} cannot be read (truncated or corrupt archive): {exc}") from None

    def check_nested(self, data: bytes, label: str) -> None:
        """Check a zip held by a member (a ``.docx``) as the archive itself is checked.

        Its members' declared sizes count against what is left of the limit
        (reading a member never yields more than its declared size), and its
        XML parts are refused when they declare a DTD or an entity or use an
        encoding in which such a declaration could hide. Data that are not a
        zip are left for the reader to reject.
        """
        try:
            inner = zipfile.ZipFile(io.BytesIO(data))
            infos = inner.infolist()
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error):
            return
        with inner:
            declared = sum(i.file_size for i in infos)
            if self.read_so_far + declared > self.limit:
                raise UserInputError(
                    f"{self.name}: {label} declares {declared} bytes uncompressed, over what is left of the limit of {self.limit} bytes; refused"
                )
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels")):
                    continue
                try:
                    part = inner.read(info)
                except (OSError, EOFError, zipfile.BadZipFile, zlib.error):
                    return  # a corrupt part: the reader reports it
                self.read_so_far += len(part)
                refuse_encoding(part[:_HEAD], self.name, f"{label} part {info.filename}")
                if declares_dtd(part):
                    raise UserInputError(
                        f"{self.name}: {label} part {info.filename} declares a DTD or an entity (<!DOCTYPE or <!ENTITY); refused, never resolved"
                    )

    def member_for(self, url: str) -> tuple[str | None, str]:
        """The member a ``plainTextPath``/``richTextPath`` names, and how it was resolved.

        ``internal://name`` is looked up in ``sources/``; a bare relative
        name (qc writes ``board_2017.txt``) in ``sources/`` and then beside the
        ``.qde``. Anything else (``file://``, ``relative://``, absolute) is
        external: ``(None, "external")``.
        """
        lower = url.lower()
        if lower.startswith("internal://"):
            return self.sources.get(lower[len("internal://"):]), "internal"
        if "://" in url or unsafe_member(url):
            return None, "external"
        rel = lower.lstrip("./")
        return self.sources.get(rel) or self.files.get(rel), "relative"

    def source(self, url: str) -> bytes | None:
        member, _ = self.member_for(url)
        return None if member is None else self.read(member)


_HEAD = 512  # bytes read to find an XML document's encoding
# Encodings in which "<!DOCTYPE" and "<!ENTITY" are the ASCII bytes or their UTF-16 forms, so the scan below finds them.
SCANNED_ENCODINGS = frozenset((
    "utf-8", "utf8", "utf-16", "utf16", "utf-16le", "utf-16be", "us-ascii", "ascii",
    "iso-8859-1", "iso_8859-1", "latin1", "latin-1", "windows-1252", "cp1252",
))
_ENCODING_DECL = re.compile(r"""<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")


def xml_encoding_refused(head: bytes) -> str | None:
    """The encoding of an XML document when it is one the DTD scan cannot read (UTF-32, UTF-7, EBCDIC ...), else None.

    >>> xml_encoding_refused(b'<?xml version="1.0" encoding="UTF-8"?><a/>'), xml_encoding_refused('<a/>'.encode("utf-16"))
    (None, None)
    >>> xml_encoding_refused(b'<?xml version="1.0" encoding="UTF-7"?>+ADw-'), xml_encoding_refused('<a/>'.encode("utf-32"))
    ('UTF-7', 'UTF-32')
    """
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<", b"<\x00\x00\x00")):
        return "UTF-32"
    if head.startswith(b"\xef\xbb\xbf"):
        text = head[3:].decode("utf-8", "replace")
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace")
    elif head.startswith(b"<\x00"):
        text = head.decode("utf-16-le", "replace")
    elif head.startswith(b"\x00<"):
        text = head.decode("utf-16-be", "replace")
    else:
        text = head.decode("latin-1")
    stripped = text.lstrip(" \t\r\n")
    if stripped and not stripped.startswith("<"):
        return "unknown (not UTF-8 or UTF-16)"
    found = _ENCODING_DECL.match(stripped)
    if found and found.group(1).strip().lower() not in SCANNED_ENCODINGS:
        return found.group(1)
    return None


def refuse_encoding(head: bytes, archive: str, file: str) -> None:
    """Raise :class:`UserInputError` when :func:`xml_encoding_refused` refuses ``head``."""
    encoding = xml_encoding_refused(head)
    if encoding is not None:
        raise UserInputError(
            f"{archive}: {file} is encoded as {encoding}; only UTF-8 and UTF-16 XML is read (a DTD could hide in another encoding); refused"
        )


# "<!DOCTYPE" and "<!ENTITY" in UTF-8 and in UTF-16 (XML keywords are upper case and follow "<!" directly).
DECLARATIONS = tuple(w.encode(enc) for w in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_OVERLAP = max(len(d) for d in DECLARATIONS)


def declares_dtd(data: bytes) -> bool:
    """Does ``data`` hold a DTD or an entity declaration?

    >>> declares_dtd(b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'), declares_dtd(b"<x>&lt;!DOCTYPE</x>")
    (True, False)
    """
    return any(d in data for d in DECLARATIONS)


class _Counted:
    """A member's stream for the XML parser: counted against the archive's limit, scanned for DTDs."""

    def __init__(self, archive: Archive, member: str, fh):
        self.archive, self.member, self.fh = archive, member, fh
        self.tail = b""

    def read(self, size: int = -1) -> bytes:
        a = self.archive
        try:
            chunk = self.fh.read(_CHUNK if size is None or size < 0 else min(size, _CHUNK))
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
            raise UserInputError(f"{a.name}: member {self.member!r} cannot be read (truncated or corrupt archive): {exc}") from None
        a.read_so_far += len(chunk)
        if a.read_so_far > a.limit:
            raise UserInputError(f"{a.name}: more than {a.limit} bytes uncompressed (the declared sizes are wrong); refused")
        if declares_dtd(self.tail + chunk):
            raise UserInputError(
                f"{a.name}: {PurePosixPath(self.member).name} declares a DTD or an entity (<!DOCTYPE or <!ENTITY); refused, never resolved"
            )
        self.tail = chunk[-_OVERLAP:]
        return chunk

    def close(self) -> None:
        self.fh.close()


def decode(data: bytes) -> tuple[str, bool]:
    """Text of a source file and whether it started with a BOM."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), True
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), True
    return data.decode("utf-8"), False

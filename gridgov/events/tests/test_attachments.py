import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.events import attachments

from .intake_support import jpeg_with_gps, png_with_text

MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64
M4A = b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42" + b"\x00" * 64
AMR = b"#!AMR\n" + b"\x3c" * 64
MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.mark.parametrize("data,ctype", [
    (b"\xff\xd8\xff\xe0" + b"\x00" * 16, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
    (WEBP, "image/webp"), (MP4, "video/mp4"), (M4A, "audio/mp4"), (AMR, "audio/amr"),
    (MP3_ID3, "audio/mpeg"), (MP3_FRAME, "audio/mpeg"),
    (b"%PDF-1.7\n", None), (b"MZ\x90\x00", None), (b"<html>", None), (b"GIF89a", None),
])
def test_type_is_told_by_magic_bytes(data, ctype):
    assert attachments.sniff(data[:16]) == ctype


def test_a_renamed_executable_is_rejected_with_field_and_reason():
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100, "image/jpeg")
    with pytest.raises(ValidationError) as exc:
        attachments.prepare([fake])
    (message,) = exc.value.message_dict["attachments"]
    assert "photo.jpg" in message and "不受支持" in message


def test_oversize_is_rejected_per_kind(settings):
    settings.GRIDGOV_ATTACHMENT_MAX_BYTES = {"audio": 100}
    with pytest.raises(ValidationError) as exc:
        attachments.prepare([("voice.amr", AMR + b"\x00" * 200)], field="audio")
    (message,) = exc.value.message_dict["audio"]
    assert "过大" in message and "录音" in message
    # The same size as a photo is within the photo limit.
    assert attachments.prepare([("a.png", png_with_text())])


def test_too_many_files_and_empty_file(settings):
    settings.GRIDGOV_ATTACHMENT_MAX_COUNT = 1
    with pytest.raises(ValidationError) as exc:
        attachments.prepare([("a.amr", AMR), ("b.amr", AMR)])
    assert "不能超过 1 个" in exc.value.message_dict["attachments"][0]
    with pytest.raises(ValidationError) as exc:
        attachments.prepare([("empty.jpg", b"")])
    assert "空文件" in exc.value.message_dict["attachments"][0]


def test_jpeg_public_copy_has_no_exif_gps_and_original_is_kept_private():
    data = jpeg_with_gps()
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(0x8825)  # the test image really carries GPS
    files = attachments.prepare([SimpleUploadedFile("site.jpg", data, "image/jpeg")])
    private, public = files
    assert (private.public, public.public) == (False, True)
    assert private.data == data and private.content_type == "image/jpeg"
    clean = Image.open(io.BytesIO(public.data))
    assert clean.format == "JPEG" and clean.size == original.size
    assert not clean.getexif().get_ifd(0x8825)
    assert len(clean.getexif()) == 0
    assert b"TestCam" not in public.data and b"Exif" not in public.data


def test_exif_orientation_applied_before_dropping_it():
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif)
    (_, public) = attachments.prepare([("r.jpg", out.getvalue())])
    assert Image.open(io.BytesIO(public.data)).size == (20, 40)


def test_png_text_chunks_removed():
    (_, public) = attachments.prepare([("p.png", png_with_text())])
    assert b"Location" not in public.data
    assert Image.open(io.BytesIO(public.data)).mode == "RGBA"


def test_audio_and_video_are_kept_private_only():
    files = attachments.prepare([("v.mp4", MP4), ("a.m4a", M4A), ("b.mp3", MP3_FRAME)])
    assert [(f.kind, f.public, f.name) for f in files] == [
        ("video", False, "v.mp4"), ("audio", False, "a.m4a"), ("audio", False, "b.mp3")]


def test_undecodable_image_is_rejected():
    with pytest.raises(ValidationError) as exc:
        attachments.prepare([("broken.jpg", b"\xff\xd8\xff\xe0garbage")])
    assert "无法解码" in exc.value.message_dict["attachments"][0]

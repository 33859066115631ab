"""QR codes: the 预约码 drawn on the success page, and read back from a kiosk photo."""
import io

import qrcode
from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a phone photo is ~12 MP; beyond this is not a photo


class Unreadable(ValueError):
    pass


def png(text, box_size=8):
    """PNG bytes of a QR code (error correction M) that encodes ``text``."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=box_size, border=2)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def decode(data):
    """The texts of the QR codes in an image (bytes); raises :class:`Unreadable`."""
    import zxingcpp
    try:
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise Unreadable("图片过大，请重新拍摄。")
        image = image.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise Unreadable("无法读取该图片，请上传 JPG 或 PNG 照片。") from None
    image.thumbnail((2000, 2000))
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    texts = [r.text for r in results if r.text]
    if not texts:
        raise Unreadable("未在照片中识别到二维码，请对准二维码重新拍摄，或直接输入预约码。")
    return texts

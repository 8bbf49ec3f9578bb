import qrcode from 'qrcode-generator';

/**
 * Draws `payload` as a QR code (byte mode, error correction M, the level KSeF's verification
 * codes use) in a `size`-point square at (x, y): one vector rectangle per run of dark modules, so
 * it stays sharp at any zoom and adds no image to the file.
 */
export function drawQr(
  doc: PDFKit.PDFDocument,
  payload: string,
  at: { x: number; y: number; size: number },
): void {
  const qr = qrcode(0, 'M');
  // The library writes a character's low byte: give it the UTF-8 bytes as characters.
  qr.addData(Buffer.from(payload, 'utf8').toString('latin1'), 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const cell = at.size / count;
  for (let row = 0; row < count; row++) {
    let col = 0;
    while (col < count) {
      if (!qr.isDark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < count && qr.isDark(row, col)) col++;
      doc.rect(at.x + start * cell, at.y + row * cell, (col - start) * cell, cell);
    }
  }
  doc.fill('black');
}

import { PDFDocument, PDFHexString, PDFName, PDFNumber, StandardFonts } from 'pdf-lib';

/** A one-page PDF that is not an IMR letter. */
export async function notALetterPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([612, 792]);
  const lines = [
    'Quarterly Facilities Report',
    'The parking structure was resurfaced in March.',
    'Budget remains on track for the year.',
  ];
  for (const [i, text] of lines.entries()) page.drawText(text, { x: 72, y: 700 - i * 16, size: 12, font });
  return doc.save();
}

/**
 * A PDF encrypted with the standard security handler and a user password we do not know: the /U entry
 * cannot match the empty password, so a reader must refuse it without the password.
 */
export async function encryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([612, 792]);
  page.drawText('secret', { x: 72, y: 700, size: 12 });
  const ctx = doc.context;
  const bytes32 = (seed: number) =>
    PDFHexString.of(
      Array.from({ length: 32 }, (_, i) => ((i * 37 + seed) & 0xff).toString(16).padStart(2, '0')).join(''),
    );
  const encrypt = ctx.obj({
    Filter: PDFName.of('Standard'),
    V: PDFNumber.of(1),
    R: PDFNumber.of(2),
    O: bytes32(11),
    U: bytes32(99),
    P: PDFNumber.of(-4),
  });
  ctx.trailerInfo.Encrypt = ctx.register(encrypt);
  ctx.trailerInfo.ID = ctx.obj([
    PDFHexString.of('0123456789abcdef0123456789abcdef'),
    PDFHexString.of('0123456789abcdef0123456789abcdef'),
  ]);
  return doc.save({ useObjectStreams: false });
}

/** The first part of a good PDF, as a file cut off in transfer or still being written. */
export function truncated(pdf: Uint8Array, fraction = 0.6): Uint8Array {
  return pdf.slice(0, Math.floor(pdf.byteLength * fraction));
}

// A profile picture made ready in the browser before upload: the centre
// square of the chosen image, scaled to 512×512 and encoded as JPEG, so any
// photo fits the server's 1 MiB limit. createImageBitmap reads the file
// directly (no blob: URL for the page's CSP to allow).

const SIDE = 512;
const QUALITY = 0.85;

export class PictureError extends Error {}

export async function squarePicture(file: Blob): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new PictureError("That file is not a picture this browser can read.");
  }
  const crop = Math.min(bitmap.width, bitmap.height);
  const side = Math.min(SIDE, crop);
  const canvas = document.createElement("canvas");
  canvas.width = side;
  canvas.height = side;
  const context = canvas.getContext("2d");
  if (!context) throw new PictureError("This browser cannot prepare pictures.");
  context.fillStyle = "#fff"; // JPEG has no transparency: transparent parts turn white, not black
  context.fillRect(0, 0, side, side);
  context.drawImage(bitmap, (bitmap.width - crop) / 2, (bitmap.height - crop) / 2, crop, crop, 0, 0, side, side);
  bitmap.close();
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  if (!blob) throw new PictureError("This browser cannot prepare pictures.");
  return blob;
}

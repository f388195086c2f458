/** Saving bytes as a file from the renderer: a Blob behind a temporary `<a download>`. */

/** Offers `bytes` (one piece, or pieces in order) to the person as a download named `name`. */
export function downloadBytes(bytes: Uint8Array | readonly Uint8Array[], name: string, type = 'application/octet-stream'): void {
  // Copies in plain ArrayBuffers: Blob takes no views over shared buffers.
  const parts = (bytes instanceof Uint8Array ? [bytes] : bytes).map((piece) => {
    const copy = new Uint8Array(piece.length);
    copy.set(piece);
    return copy;
  });
  const blob = new Blob(parts, { type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start reading the URL only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

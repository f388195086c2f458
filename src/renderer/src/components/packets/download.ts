/** Saving bytes as a file from the renderer: a Blob behind a temporary `<a download>`. */

/** Offers `bytes` to the person as a download named `name`. */
export function downloadBytes(bytes: Uint8Array, name: string, type = 'application/octet-stream'): void {
  // A copy in a plain ArrayBuffer: Blob takes no views over shared buffers.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const blob = new Blob([copy], { type });
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

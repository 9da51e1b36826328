// The editing calls: writes through the OGC API (Part 4) and the page's history and revert,
// with the session's CSRF token and the page's language; a refusal throws the server's message.
export class EditError extends Error {}

export async function request(method, url, { body, csrfToken, contentType = "application/geo+json" } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang };
  if (method !== "GET") headers["X-CSRFToken"] = csrfToken;
  if (body !== undefined) headers["Content-Type"] = contentType;
  const response = await fetch(url, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin", cache: "no-store",
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const detail = data && (data.detail || data.description);
    throw new EditError(typeof detail === "string" ? detail : interpolate(gettext("The server refused the change (HTTP %s)."), [response.status]));
  }
  return { data, editId: Number(response.headers.get("Edit-Id")) || null };
}

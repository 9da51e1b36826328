// JSON from the portal's own API, in the page's language.
export async function fetchJSON(url, options = {}) {
  // The API has no language prefix: ask it for the page's language (PortalLocaleMiddleware).
  const headers = { Accept: "application/json", "Accept-Language": document.documentElement.lang };
  const response = await fetch(url, { headers, signal: options.signal });
  if (!response.ok) {
    const error = new Error(`${url}: HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// Every page of a paginated GeoJSON FeatureCollection, as one array of features.
export async function fetchAllFeatures(url) {
  const features = [];
  let next = url;
  while (next) {
    const page = await fetchJSON(next);
    features.push(...page.features);
    next = page.next;
  }
  return features;
}

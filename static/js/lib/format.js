// Numbers in the page's language. Browsers without Belarusian locale data would fall back to
// English ("123,283"): Russian's conventions are Belarusian's too ("123 283", "12,5").
export function locales() {
  const lang = document.documentElement.lang;
  return lang === "be" ? ["be", "ru"] : [lang];
}

export function formatNumber(value, options = {}) {
  return Number(value).toLocaleString(locales(), options);
}

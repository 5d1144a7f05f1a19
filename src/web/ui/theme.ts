// Light, dark, or the system's choice (the default): kept in localStorage and
// applied as `data-theme` on <html>, which the stylesheets read
// (styles/base.css). No inline script: the page's CSP forbids it.

export type Theme = "system" | "light" | "dark";

const KEY = "edge-chat.theme";

export function storedTheme(): Theme {
  try {
    const value = localStorage.getItem(KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export function applyStoredTheme(): void {
  apply(storedTheme());
}

export function setTheme(theme: Theme): void {
  try {
    if (theme === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, theme);
  } catch {
    // storage refused: the choice lasts for this page
  }
  apply(theme);
}

function apply(theme: Theme): void {
  if (theme === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

// Forms that follow their choice: a <select data-autosubmit> submits its form when it changes.
// (The Content-Security-Policy forbids inline handlers such as onchange="this.form.submit()".)
export function autosubmit(root = document) {
  for (const select of root.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
}

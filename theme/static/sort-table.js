// Sortable postmortem tables (`table[data-sortable]`, from the theme's `pm_table`): each
// column header becomes a button; a click sorts the rows by that column, ascending, and a
// second click descending. A cell sorts by its `data-sort` (numbers in `data-type="number"`
// columns), else by its `time`'s `datetime`, else by its text; empty cells always last, ties
// in the server's order. `aria-sort` tells assistive technology the column and direction; a
// polite live region in the caption says it too. Without JavaScript the table stays in the
// server's order (newest first).
for (const table of document.querySelectorAll("table[data-sortable]")) {
  const heads = Array.from(table.tHead.rows[0].cells);
  const body = table.tBodies[0];
  const status = table.querySelector(".sort-status");
  const rows = Array.from(body.rows);
  rows.forEach((row, k) => { row.dataset.order = String(k); });
  const key = (row, col) => {
    const cell = row.cells[col];
    if (!cell) return "";
    if (cell.dataset.sort !== undefined) return cell.dataset.sort;
    const time = cell.querySelector("time[datetime]");
    return time ? time.getAttribute("datetime") : cell.textContent.trim().toLowerCase();
  };
  const sort = (col, descending) => {
    const numeric = heads[col].dataset.type === "number";
    const keyed = Array.from(body.rows, (row) => [key(row, col), Number(row.dataset.order), row]);
    keyed.sort((a, b) => {
      if (a[0] === "" || b[0] === "") return (a[0] === "") - (b[0] === "") || a[1] - b[1];
      let c = numeric ? Number(a[0]) - Number(b[0]) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
      if (descending) c = -c;
      return c || a[1] - b[1];
    });
    body.append(...keyed.map((k) => k[2]));
    heads.forEach((th, k) => {
      if (k === col) th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    if (status) {
      status.textContent = `, sorted by ${heads[col].textContent.trim()}, ${descending ? "descending" : "ascending"}`;
    }
  };
  heads.forEach((th, col) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.append(...th.childNodes);
    const arrow = document.createElement("span");
    arrow.className = "sort-arrow";
    arrow.setAttribute("aria-hidden", "true");
    button.append(arrow);
    th.append(button);
    button.addEventListener("click", () => sort(col, th.getAttribute("aria-sort") === "ascending"));
  });
}

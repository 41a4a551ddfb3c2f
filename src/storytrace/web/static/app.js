// storytrace web UI: a little vanilla JS (progressive enhancement; every page works without it).
"use strict";

// Compare page: hovering a passage highlights its counterpart; clicking a moved passage jumps to it.
function initCompare() {
  const grid = document.getElementById("aligned");
  if (!grid) return;
  const spans = (p) => grid.querySelectorAll('[data-p="' + p + '"]');
  grid.addEventListener("mouseover", (e) => {
    const el = e.target.closest("[data-p]");
    if (el) spans(el.dataset.p).forEach((s) => s.classList.add("hl"));
  });
  grid.addEventListener("mouseout", (e) => {
    const el = e.target.closest("[data-p]");
    if (el) spans(el.dataset.p).forEach((s) => s.classList.remove("hl"));
  });
  grid.addEventListener("click", (e) => {
    const el = e.target.closest(".mv[data-p]");
    if (!el) return;
    const side = el.closest(".side-a") ? ".side-b" : ".side-a";
    const other = grid.querySelector(side + ' [data-p="' + el.dataset.p + '"]');
    if (other) { other.scrollIntoView({ behavior: "smooth", block: "center" }); flash(other); }
  });
  document.querySelectorAll(".fact-row").forEach((row) => {
    row.addEventListener("click", () => {
      const n = row.dataset.f;
      ["a", "b"].forEach((s) => { const el = document.getElementById("f" + n + "-" + s); if (el) flash(el); });
    });
  });
}

function flash(el) {
  el.classList.remove("flash");
  void el.offsetWidth;
  el.classList.add("flash");
}

// Add page: refuse an over-size or wrong-type file before sending it.
function initUpload() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const input = document.getElementById("files");
  const out = document.getElementById("upload-client-error");
  const max = parseInt(form.dataset.max, 10);
  const accepted = input.accept.split(",");
  form.addEventListener("submit", (e) => {
    let total = 0;
    let problem = "";
    for (const f of input.files) {
      total += f.size;
      const name = f.name.toLowerCase().replace(/\.(gz|zst)$/, "");
      if (!accepted.some((s) => s.startsWith(".") && s !== ".gz" && s !== ".zst" && name.endsWith(s))) {
        problem = f.name + ": unsupported file type.";
      }
    }
    if (!problem && total > max) problem = "Upload too large: the limit is " + (max / 1048576).toFixed(0) + " MB per upload.";
    if (problem) { e.preventDefault(); out.textContent = problem; out.hidden = false; }
  });
}

// Job page: poll the job until it is done, updating the steps and the list of new documents.
function initJob() {
  const box = document.getElementById("job");
  if (!box) return;
  const order = ["queued", "reading", "analyzing", "done"];
  const paint = (state) => {
    box.dataset.state = state;
    const at = order.indexOf(state);
    box.querySelectorAll(".step").forEach((li, i) => {
      li.classList.toggle("done", state === "done" || (at >= 0 && i < at));
      li.classList.toggle("current", at >= 0 && i === at && state !== "done");
      li.classList.toggle("failed", state === "failed" && i === order.length - 1);
    });
    if (state === "failed") box.querySelector('[data-step="done"]').textContent = "Failed";
  };
  const link = (href, text, cls) => {
    const a = document.createElement("a");
    a.href = href; a.textContent = text; if (cls) a.className = cls;
    return a;
  };
  const update = (job) => {
    paint(job.state);
    document.getElementById("job-state").textContent = job.state;
    document.getElementById("job-records").textContent = job.records;
    document.getElementById("job-message").textContent = job.message ? " · " + job.message : "";
    const list = document.getElementById("job-docs");
    list.replaceChildren(...job.documents.map((d) => {
      const li = document.createElement("li");
      li.append(link("/documents/" + encodeURIComponent(d.id), d.id, "mono"));
      if (d.story) { li.append(" in "); li.append(link("/stories/" + encodeURIComponent(d.story), "story " + d.story)); }
      return li;
    }));
    const problems = document.getElementById("job-problems");
    problems.replaceChildren(...job.problems.map((p) => { const li = document.createElement("li"); li.textContent = p; return li; }));
  };
  paint(box.dataset.state);
  const poll = async () => {
    try {
      const res = await fetch("/api/jobs/" + encodeURIComponent(box.dataset.job));
      if (res.ok) {
        const job = await res.json();
        update(job);
        if (job.done) return;
      }
    } catch (err) { /* retry */ }
    setTimeout(poll, 400);
  };
  if (box.dataset.state !== "done" && box.dataset.state !== "failed") poll();
}

document.addEventListener("DOMContentLoaded", () => { initCompare(); initUpload(); initJob(); });

// The lost-token page's letters file, read in the browser. The letters file holds every
// city's token; the server needs only the cities' names and fingerprints. When this
// script runs, it reads the chosen file here (the ZIP's CSV files, or the CSV), keeps
// the city, country and credential_fingerprint columns, and sends that instead: the
// tokens never leave the organiser's computer. If anything fails (an old browser, a
// file it cannot read), the form is sent as it is and the server reads the same columns.
"use strict";
(function () {
  var form = document.getElementById("letters-form");
  if (!form || !window.DataTransfer || !window.TextDecoder) return;
  var input = form.querySelector("input[type=file]");
  var KEEP = ["city", "country", "credential_fingerprint"];
  var FINGERPRINT = ["credential_fingerprint", "token_fingerprint", "fingerprint"];

  function u16(view, at) { return view.getUint16(at, true); }
  function u32(view, at) { return view.getUint32(at, true); }

  async function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // The CSV members of a ZIP file, by its central directory (no ZIP64: letters are small).
  async function csvMembers(buffer) {
    var view = new DataView(buffer);
    var end = -1;
    for (var at = buffer.byteLength - 22; at >= Math.max(0, buffer.byteLength - 65557); at--) {
      if (u32(view, at) === 0x06054b50) { end = at; break; }
    }
    if (end < 0) throw new Error("no end of central directory");
    var count = u16(view, end + 10);
    var entry = u32(view, end + 16);
    var names = new TextDecoder("utf-8");
    var found = [];
    for (var i = 0; i < count; i++) {
      if (u32(view, entry) !== 0x02014b50) throw new Error("bad central directory");
      var method = u16(view, entry + 10);
      var size = u32(view, entry + 20);
      var nameLength = u16(view, entry + 28);
      var skip = nameLength + u16(view, entry + 30) + u16(view, entry + 32);
      var local = u32(view, entry + 42);
      var name = names.decode(new Uint8Array(buffer, entry + 46, nameLength));
      entry += 46 + skip;
      if (!/\.csv$/i.test(name)) continue;
      var start = local + 30 + u16(view, local + 26) + u16(view, local + 28);
      var data = new Uint8Array(buffer, start, size);
      if (method === 8) data = await inflate(data);
      else if (method !== 0) throw new Error("unknown compression");
      found.push(data);
    }
    return found;
  }

  // RFC 4180: quoted fields may hold commas, quotes ("") and line breaks.
  function parseCsv(text) {
    var rows = [], row = [], field = "", quoted = false;
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
        else if (ch === '"') quoted = false;
        else field += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ",") { row.push(field); field = ""; }
      else if (ch === "\n" || ch === "\r") {
        if (ch === "\r" && text[i + 1] === "\n") i++;
        row.push(field); rows.push(row); row = []; field = "";
      } else field += ch;
    }
    if (field !== "" || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  function quote(cell) { return '"' + cell.replace(/"/g, '""') + '"'; }

  // Only the three columns the server reads, as a CSV; null if this is not a letters CSV.
  function reduced(text) {
    var rows = parseCsv(text.replace(/^\ufeff/, ""));
    if (!rows.length) return null;
    var header = rows[0].map(function (c) { return c.trim().toLowerCase(); });
    var fp = FINGERPRINT.map(function (c) { return header.indexOf(c); }).filter(function (i) { return i >= 0; })[0];
    var city = header.indexOf("city"), country = header.indexOf("country");
    if (city < 0 || fp === undefined) return null;
    var out = [KEEP.join(",")];
    for (var r = 1; r < rows.length; r++) {
      var cells = rows[r];
      if (cells.length === 1 && cells[0] === "") continue;
      out.push([cells[city] || "", country >= 0 ? cells[country] || "" : "", cells[fp] || ""].map(quote).join(","));
    }
    return out.join("\r\n") + "\r\n";
  }

  async function cityLines(file) {
    var buffer = await file.arrayBuffer();
    var head = new Uint8Array(buffer, 0, Math.min(2, buffer.byteLength));
    var parts = head[0] === 0x50 && head[1] === 0x4b ? await csvMembers(buffer) : [new Uint8Array(buffer)];
    var decoder = new TextDecoder("utf-8", { fatal: true });
    var lines = [];
    parts.forEach(function (part) {
      var csv = reduced(decoder.decode(part));
      if (csv !== null) lines.push(csv.split("\r\n").slice(1).join("\r\n"));
    });
    if (!lines.length) return null;
    return KEEP.join(",") + "\r\n" + lines.join("");
  }

  form.addEventListener("submit", function (event) {
    if (form.dataset.reduced === "yes" || !input.files || !input.files.length) return;
    event.preventDefault();
    cityLines(input.files[0]).then(function (csv) {
      if (csv !== null) {
        var carrier = new DataTransfer();
        carrier.items.add(new File([csv], "cities.csv", { type: "text/csv" }));
        input.files = carrier.files;
        form.dataset.reduced = "yes";
      }
    }).catch(function () {
      // sent as it is: the server reads the same three columns and keeps nothing
    }).then(function () {
      form.dataset.reduced = "yes";
      form.submit();
    });
  });
})();

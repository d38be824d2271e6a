// The sentences a page shows, read from the page itself (an element holding one
// [data-key] element per sentence, translated on the server): shared by vote.js,
// ../trustee/page.js and ../authority/page.js.

/** The sentences under the element with this id, by key. */
export function pageWords(id) {
  return new Map(
    Array.from(document.querySelectorAll(`#${id} [data-key]`), (el) => [
      el.dataset.key,
      el.textContent.trim(),
    ]),
  );
}

/** Sentence `key` of `words` (the key itself if the page lacks it), {name} placeholders filled. */
export function sentence(words, key, vars = {}) {
  let text = words.get(key) ?? key;
  for (const [name, value] of Object.entries(vars))
    text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

// The SPARQL query editor: progressive enhancement of the plain form on /sparql.
// Without JavaScript the form still works: the textarea is submitted by GET (a shareable URL) and
// the server renders the results table. With it, the textarea becomes a CodeMirror 6 editor with
// SPARQL highlighting, syntax checking (sparqljs) and completion of prefixes and of the
// catalogue's own terms, loaded from /sparql/terms.json (no third-party service, works offline).
import { autocompletion, closeBrackets, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  bracketMatching,
  defaultHighlightStyle,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { linter, lintGutter } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap, lineNumbers } from "@codemirror/view";
import { Parser } from "sparqljs";

const form = document.querySelector("form.sparql-form");
const textarea = form && form.querySelector("textarea[name=query]");

function syntaxProblems(view) {
  const text = view.state.doc.toString();
  if (!text.trim()) return [];
  try {
    new Parser({ sparqlStar: true }).parse(text);
    return [];
  } catch (error) {
    const where = error.hash && error.hash.loc;
    let from = 0;
    let to = text.length;
    if (where) {
      const line = view.state.doc.line(Math.min(where.first_line, view.state.doc.lines));
      from = Math.min(line.from + where.first_column, line.to);
      to = Math.max(from, Math.min(line.from + where.last_column, view.state.doc.length));
    }
    const message = String(error.message).split("\n")[0];
    return [{ from, to: to === from ? Math.min(from + 1, text.length) : to, severity: "error", message }];
  }
}

function declaredPrefixes(text) {
  const found = new Set();
  for (const match of text.matchAll(/PREFIX\s+([\w-]*):/gi)) found.add(match[1]);
  return found;
}

function completions(terms) {
  const prefixes = terms.prefixes;
  return (context) => {
    const word = context.matchBefore(/[\w-]*:?[\w-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    const before = context.state.sliceDoc(Math.max(0, word.from - 7), word.from);
    if (/PREFIX\s+$/i.test(before)) {
      return {
        from: word.from,
        options: Object.entries(prefixes).map(([name, iri]) => ({
          label: `${name}:`,
          apply: `${name}: <${iri}>`,
          detail: iri,
          type: "namespace",
        })),
      };
    }
    const declared = declaredPrefixes(context.state.doc.toString());
    const options = terms.terms
      .filter((t) => !t.term.startsWith("<"))
      .map((t) => {
        const name = t.term.split(":")[0];
        return {
          label: t.term,
          detail: t.label,
          type: t.kind === "Class" || t.kind === "ConceptScheme" ? "class" : t.kind === "Concept" ? "constant" : "property",
          apply: (view, completion, from, to) => {
            const changes = [{ from, to, insert: completion.label }];
            if (!declared.has(name) && prefixes[name]) {
              changes.push({ from: 0, insert: `PREFIX ${name}: <${prefixes[name]}>\n` });
            }
            view.dispatch({ changes });
          },
        };
      });
    return { from: word.from, options, validFor: /^[\w-]*:?[\w-]*$/ };
  };
}

async function loadTerms(url) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    return response.ok ? await response.json() : { prefixes: {}, terms: [] };
  } catch {
    return { prefixes: {}, terms: [] };
  }
}

async function start() {
  if (!form || !textarea) return;
  const terms = await loadTerms(form.dataset.terms);
  const run = () => {
    form.requestSubmit();
    return true;
  };
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        history(),
        bracketMatching(),
        closeBrackets(),
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle),
        autocompletion({ override: [completions(terms)] }),
        linter(syntaxProblems, { delay: 300 }),
        lintGutter(),
        EditorView.cspNonce.of(form.dataset.styleNonce || ""),
        keymap.of([{ key: "Mod-Enter", run }, ...completionKeymap, ...historyKeymap, ...defaultKeymap]),
        EditorView.contentAttributes.of({ "aria-label": textarea.labels[0]?.textContent || "SPARQL" }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
      ],
    }),
  });
  textarea.hidden = true;
  textarea.insertAdjacentElement("afterend", view.dom);
  view.dom.classList.add("sparql-editor");
  form.addEventListener("submit", () => {
    textarea.value = view.state.doc.toString();
  });
  document.documentElement.dataset.editor = "ready";
}

start();

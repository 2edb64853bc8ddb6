// Browser APIs that a Chromium test would accept but UXP lacks (docs/uxp.md §7.1, §7.2, §7.5, §8.2), and a scanner
// that finds them in the built panel. webpack.config.js runs it on every build after emit (the build fails, naming
// file:line and the API); test/unit/plugin-build.test.ts runs it on the real build and on samples.
//
// What is scanned: the emitted .js and .html files, with comments blanked (strings are kept: `'drawImage'` or
// `'<input type="file">'` in a string is still a use). A finding in index.js is traced through index.js.map to
// the source file and line. Our own code is scanned strictly; ALLOWED names each exception in a library, by
// source file and API, with the reason it cannot run in UXP.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

/** Why UXP refuses code generation from strings: the manifest would need allowCodeGenerationFromStrings. */
const NO_CODEGEN = 'code generation from strings needs requiredPermissions.allowCodeGenerationFromStrings (§8.2)';
const CANVAS = 'UXP <canvas> draws basic shapes only (§7.5)';

/**
 * The forbidden APIs. `pattern` is matched (globally) against the file with its comments blanked; `unlessAlerts`
 * entries are allowed when the manifest sets featureFlags.enableAlerts.
 */
const FORBIDDEN = [
  { api: 'canvas drawImage', pattern: /\bdrawImage\b/, why: CANVAS },
  { api: 'canvas getImageData', pattern: /\bgetImageData\b/, why: `${CANVAS}; pixels cannot be read back` },
  { api: 'canvas putImageData', pattern: /\bputImageData\b/, why: CANVAS },
  { api: 'canvas toDataURL', pattern: /\btoDataURL\b/, why: CANVAS },
  { api: 'canvas toBlob', pattern: /\btoBlob\b/, why: CANVAS },
  { api: 'canvas text (fillText, strokeText, measureText)', pattern: /\b(?:fillText|strokeText|measureText)\b/, why: `${CANVAS}; no text` },
  { api: 'createImageBitmap', pattern: /\bcreateImageBitmap\b/, why: CANVAS },
  { api: 'OffscreenCanvas', pattern: /\bOffscreenCanvas\b/, why: CANVAS },
  {
    api: '<input type=file>',
    pattern: /<input\b[^>]*?\btype\s*=\s*\\?["']?file\b/i,
    why: 'unsupported in UXP; use localFileSystem.getFileForOpening (§7.2)',
  },
  {
    api: "input type = 'file'",
    pattern: /(?:\.type\s*=|\bsetAttribute\s*\(\s*["'`]type["'`]\s*,)\s*["'`]file["'`]/,
    why: 'unsupported in UXP; use localFileSystem.getFileForOpening (§7.2)',
  },
  {
    api: '<input type=color>',
    pattern: /<input\b[^>]*?\btype\s*=\s*\\?["']?color\b|(?:\.type\s*=|\bsetAttribute\s*\(\s*["'`]type["'`]\s*,)\s*["'`]color["'`]/i,
    why: 'unsupported in UXP (§7.5)',
  },
  { api: 'new Blob', pattern: /\bnew\s+Blob\b/, why: 'UXP XHR and WebSocket send ArrayBuffers, not Blobs (§7.1)' },
  { api: 'FormData', pattern: /\bFormData\b/, why: 'no multipart bodies in UXP; send JSON and file paths (§7.1)' },
  { api: 'URL.createObjectURL', pattern: /\b(?:create|revoke)ObjectURL\b/, why: 'no Blob URLs in UXP (§7.1, §7.3)' },
  { api: 'TextDecoder', pattern: /\bTextDecoder\b/, why: 'UXP has no TextDecoder (§7.1)' },
  { api: 'TextEncoder', pattern: /\bTextEncoder\b/, why: 'UXP has no TextEncoder (§7.1)' },
  { api: 'eval', pattern: /\beval\s*[(),;]/, why: NO_CODEGEN },
  {
    api: 'Function constructor',
    // `new Function(…)`, `Function(…)`, and an alias such as `const F = Function;` (zod's form).
    pattern: /\bnew\s+Function\b|(?<![\w$.])Function\s*\(|=\s*Function\b(?!\s*\.)/,
    why: NO_CODEGEN,
  },
  { api: 'setTimeout/setInterval with a string', pattern: /\bset(?:Timeout|Interval)\s*\(\s*["'`]/, why: NO_CODEGEN },
  { api: 'Worker', pattern: /\bnew\s+(?:Shared)?Worker\b|\bserviceWorker\b|\bimportScripts\b/, why: 'UXP has no workers' },
  { api: 'indexedDB', pattern: /\bindexedDB\b/, why: 'UXP has no IndexedDB; use localStorage or plugin-data:' },
  {
    api: 'alert/confirm/prompt',
    pattern: /(?<![\w$.])(?:alert|confirm|prompt)\s*\(|\bwindow\.(?:alert|confirm|prompt)\b/,
    why: 'needs featureFlags.enableAlerts, and blocks Premiere from an invisible panel (§7.5)',
    unlessAlerts: true,
  },
];

/**
 * Exceptions, each for one API in one library file (a source path as the source map names it). A finding is
 * allowed only when both match. Never list our own code (plugin/, bridge/) here.
 */
const ALLOWED = [
  {
    source: 'node_modules/zod/v4/core/util.js',
    api: 'Function constructor',
    why:
      "zod's `allowsEval` feature test: `const F = Function; new F('')` inside try/catch, false when it throws. In UXP " +
      '(no allowCodeGenerationFromStrings) it throws and zod parses with its interpreter. z.config({ jitless: true }) ' +
      'skips the probe, but only for schemas created after that call.',
  },
  {
    source: 'node_modules/zod/v4/core/doc.js',
    api: 'Function constructor',
    why:
      "zod's JIT for object schemas (`Doc.compile`): called only when the `allowsEval` probe above succeeded and " +
      'jitless was off when the schema was created, so never in UXP.',
  },
];

/**
 * Replaces JavaScript comments with spaces (newlines kept), so that columns and lines stay where they were.
 * Strings, template literals and regular expression literals are skipped whole; a `/` that might start a
 * regular expression but does not close on its line is taken as a division.
 * @param code - JavaScript source
 */
function blankJsComments(code) {
  const out = code.split('');
  const blank = (from, to) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  const n = code.length;
  const templates = []; // brace depth at each open `${`
  let braces = 0;
  let prev = ''; // last significant character outside comments ('a' after a literal)
  let prevWord = '';
  const regexAfterWord = new Set([
    'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'instanceof', 'yield', 'await',
  ]);

  /** Skips a template literal's text from `i` (just after ` or }); returns the index after ` or after `${`. */
  const skipTemplate = (i) => {
    while (i < n) {
      const c = code[i];
      if (c === '\\') i += 2;
      else if (c === '`') return { end: i + 1, open: false };
      else if (c === '$' && code[i + 1] === '{') return { end: i + 2, open: true };
      else i++;
    }
    return { end: n, open: false };
  };

  let i = 0;
  while (i < n) {
    const c = code[i];
    if (c === '/' && code[i + 1] === '/') {
      let end = code.indexOf('\n', i);
      if (end < 0) end = n;
      blank(i, end);
      i = end;
    } else if (c === '/' && code[i + 1] === '*') {
      let end = code.indexOf('*/', i + 2);
      end = end < 0 ? n : end + 2;
      blank(i, end);
      i = end;
    } else if (c === '"' || c === "'") {
      let k = i + 1;
      while (k < n && code[k] !== c && code[k] !== '\n') k += code[k] === '\\' ? 2 : 1;
      i = k + 1;
      prev = 'a';
      prevWord = '';
    } else if (c === '`' || (c === '}' && templates.length > 0 && templates[templates.length - 1] === braces - 1)) {
      if (c === '}') {
        templates.pop();
        braces--;
      }
      const { end, open } = skipTemplate(i + 1);
      if (open) {
        templates.push(braces);
        braces++;
        prev = '{';
      } else prev = 'a';
      prevWord = '';
      i = end;
    } else if (c === '/') {
      const startsRegex = prev === '' || '(,=:[!&|?{};+-*%<>~^'.includes(prev) || (prev === 'w' && regexAfterWord.has(prevWord));
      let end = -1;
      if (startsRegex) {
        let k = i + 1;
        let inClass = false;
        while (k < n && code[k] !== '\n') {
          const d = code[k];
          if (d === '\\') k += 2;
          else if (d === '[') (inClass = true), k++;
          else if (d === ']') (inClass = false), k++;
          else if (d === '/' && !inClass) {
            end = k + 1;
            break;
          } else k++;
        }
      }
      if (end > 0) {
        while (end < n && /[a-z]/i.test(code[end])) end++; // flags
        i = end;
        prev = 'a';
      } else {
        i++;
        prev = '/';
      }
      prevWord = '';
    } else if (/[\w$]/.test(c)) {
      let k = i;
      while (k < n && /[\w$]/.test(code[k])) k++;
      prevWord = code.slice(i, k);
      prev = 'w';
      i = k;
    } else {
      if (c === '{') braces++;
      else if (c === '}') braces--;
      if (!/\s/.test(c)) {
        prev = c;
        prevWord = '';
      }
      i++;
    }
  }
  return out.join('');
}

/** Replaces HTML comments with spaces, newlines kept. */
function blankHtmlComments(html) {
  return html.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\r\n]/g, ' '));
}

/**
 * Finds the forbidden APIs in one file's text.
 * @param text - the file's contents
 * @param options - `file`: the name to report; `kind`: 'js' or 'html' (default from the name);
 *   `allowAlerts`: the manifest's featureFlags.enableAlerts
 * @returns one finding per use: `{ file, line, column, api, why, excerpt }` (line and column 1-based)
 */
function scanText(text, options = {}) {
  const file = options.file ?? '<text>';
  const kind = options.kind ?? (/\.html?$/i.test(file) ? 'html' : 'js');
  const code = kind === 'html' ? blankHtmlComments(text) : blankJsComments(text);
  const lineStarts = [0];
  for (let k = 0; k < code.length; k++) if (code[k] === '\n') lineStarts.push(k + 1);
  const lineOf = (index) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const findings = [];
  for (const rule of FORBIDDEN) {
    if (rule.unlessAlerts && options.allowAlerts) continue;
    const pattern = new RegExp(rule.pattern.source, rule.pattern.flags.includes('g') ? rule.pattern.flags : `${rule.pattern.flags}g`);
    for (const match of code.matchAll(pattern)) {
      const line = lineOf(match.index);
      const lineEnd = code.indexOf('\n', lineStarts[line]);
      const sourceLine = text.slice(lineStarts[line], lineEnd < 0 ? text.length : lineEnd);
      findings.push({
        file,
        line: line + 1,
        column: match.index - lineStarts[line] + 1,
        api: rule.api,
        why: rule.why,
        excerpt: sourceLine.trim().slice(0, 160),
      });
    }
  }
  return findings.sort((a, b) => a.line - b.line || a.column - b.column);
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decodes a source map's `mappings` into, per generated line, segments `[column, sourceIndex, line, column]`
 * (all 0-based), in column order.
 */
function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const lineText of mappings.split(';')) {
    const segments = [];
    let column = 0;
    for (const segmentText of lineText.split(',')) {
      if (!segmentText) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const char of segmentText) {
        const digit = BASE64.indexOf(char);
        if (digit < 0) throw new Error(`source map: bad character '${char}'`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length >= 4) {
        source += values[1];
        sourceLine += values[2];
        sourceColumn += values[3];
        segments.push([column, source, sourceLine, sourceColumn]);
      } else segments.push([column]);
    }
    lines.push(segments);
  }
  return lines;
}

/** `webpack://name/./plugin/ui/panel.ts` → `plugin/ui/panel.ts`. */
function sourcePath(source) {
  return source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^(\.\/)+/, '');
}

/**
 * Adds `source` (a project-relative path, or undefined when unmapped) and `sourceLine` to findings in a bundle.
 * @param findings - scanText's findings for the bundle
 * @param map - the parsed source map
 */
function traceFindings(findings, map) {
  const lines = decodeMappings(map.mappings);
  return findings.map((finding) => {
    const segments = lines[finding.line - 1] ?? [];
    const column = finding.column - 1;
    let segment;
    for (const candidate of segments) {
      if (candidate.length < 4) continue;
      if (candidate[0] <= column || segment === undefined) segment = candidate;
      if (candidate[0] > column) break;
    }
    if (!segment) return finding;
    return { ...finding, source: sourcePath(map.sources[segment[1]]), sourceLine: segment[2] + 1 };
  });
}

/** The allow-list entry that covers a finding, if any. */
function allowanceFor(finding, allowed = ALLOWED) {
  return allowed.find((entry) => entry.api === finding.api && entry.source === finding.source);
}

/**
 * Checks a built plugin folder: every .js and .html file in it, traced through `<file>.map` when present.
 * The manifest's featureFlags.enableAlerts decides about alert/confirm/prompt.
 * @param dir - e.g. plugin-dist/premierepro
 * @returns `problems` (forbidden uses) and `allowed` (findings an ALLOWED entry covers, each with `reason`)
 */
function checkBuild(dir, allowed = ALLOWED) {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : {};
  const allowAlerts = manifest.featureFlags?.enableAlerts === true;
  const problems = [];
  const allowedFindings = [];
  const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((name) => /\.(?:js|html?)$/i.test(name)).sort();
  for (const name of files) {
    const file = path.join(dir, name);
    let findings = scanText(fs.readFileSync(file, 'utf8'), { file: name.split(path.sep).join('/'), allowAlerts });
    if (findings.length > 0 && fs.existsSync(`${file}.map`)) {
      findings = traceFindings(findings, JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
    }
    for (const finding of findings) {
      const allowance = allowanceFor(finding, allowed);
      if (allowance) allowedFindings.push({ ...finding, reason: allowance.why });
      else problems.push(finding);
    }
  }
  return { problems, allowed: allowedFindings };
}

/** One line per finding: `index.js:12:5 (plugin/ui/panel.ts:40): canvas drawImage: why. <excerpt>` */
function formatFinding(finding) {
  const where = `${finding.file}:${finding.line}:${finding.column}`;
  const source = finding.source ? ` (${finding.source}:${finding.sourceLine})` : '';
  return `${where}${source}: ${finding.api}: ${finding.why}. ${finding.excerpt}`;
}

/**
 * webpack plugin: after emit, checks the output folder and fails the build with one line per forbidden use.
 */
class UxpApiCheckPlugin {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('UxpApiCheckPlugin', (compilation) => {
      const { problems } = checkBuild(compiler.outputPath);
      if (problems.length === 0) return;
      const lines = problems.map((problem) => `  ${formatFinding(problem)}`);
      compilation.errors.push(
        new compiler.webpack.WebpackError(
          `UXP lacks ${problems.length === 1 ? 'an API' : 'APIs'} this build uses (scripts/uxp-api-check.js):\n${lines.join('\n')}`,
        ),
      );
    });
  }
}

module.exports = { FORBIDDEN, ALLOWED, scanText, checkBuild, formatFinding, blankJsComments, decodeMappings, UxpApiCheckPlugin };

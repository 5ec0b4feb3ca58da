package imaptest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"mime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The mailbox the benchmarks take in: what the programme's address
// collects over a season, generated deterministically from a seed. Mostly
// 3–10 KB of French-like text (applications, follow-ups, newsletters,
// out-of-office replies, questions), one in fifty a pasted report of
// about 100 KB, and one in twenty carrying a 500 KB PDF.

var words = strings.Fields(`entreprise démarche responsabilité sociétale environnementale salariés
équipe projet accompagnement programme territoire Lozère commune atelier formation réunion
engagement développement durable énergie déchets mobilité achats fournisseurs clients qualité
travail conditions dialogue social gouvernance bilan carbone économie circulaire artisan
commerce boulangerie menuiserie hôtel camping ferme exploitation agricole association coopérative
souhaitons aimerions pouvons devons avons mettre place réduire améliorer partager construire
depuis plusieurs années notre nos votre vos leur avec pour dans sur sous chez entre
également toutefois ainsi cependant notamment particulier première prochaine nouvelle
réflexion questionnaire diagnostic plan action indicateurs suivi résultats objectifs
collectif individuel séance lancement soirée calendrier disponibilité inscription dossier`)

var (
	firstNames = strings.Fields("Marie Jean Anne Pierre Sophie Luc Claire Paul Élodie Hélène Mathieu Camille Julien Léa Nicolas")
	lastNames  = strings.Fields("Dupont Martin Roux Bernard Fabre Chabert Pagès Bonnet Vidal Boyer Rouvière Malaval Girard")
	communes   = []struct{ cp, name string }{{"48000", "Mende"}, {"48400", "Florac"}, {"48100", "Marvejols"},
		{"48200", "Saint-Chély-d'Apcher"}, {"48300", "Langogne"}, {"48500", "La Canourgue"}}
	trades = strings.Fields("Boulangerie Menuiserie Hôtel Camping Garage Librairie Fromagerie Imprimerie")
)

// GenerateMailbox returns n messages and their total size, the same for
// the same seed.
func GenerateMailbox(n int, seed uint64) ([][]byte, int64) {
	rng := rand.New(rand.NewPCG(seed, 2026))
	pdf := FakePDF(rng, 500<<10)
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	raws := make([][]byte, n)
	var total int64
	for i := range raws {
		raws[i] = message(rng, i, start.Add(time.Duration(i)*7*time.Minute), pdf)
		total += int64(len(raws[i]))
	}
	return raws, total
}

func message(rng *rand.Rand, i int, date time.Time, pdf []byte) []byte {
	first, last := pick(rng, firstNames), pick(rng, lastNames)
	from := fmt.Sprintf("%s.%s%d@exemple-%d.fr", strings.ToLower(ascii(first)), strings.ToLower(ascii(last)), i, i%97)
	var hdr, body bytes.Buffer
	subject := "Candidature au programme RSE"
	size := 3<<10 + rng.IntN(7<<10)
	if rng.IntN(50) == 0 {
		size = 100 << 10 // a pasted report, a long thread
	}
	c := communes[rng.IntN(len(communes))]
	company := pick(rng, trades) + " " + last
	switch k := rng.IntN(10); {
	case k < 4: // an application
		fmt.Fprintf(&body, "Bonjour,\n\nJe souhaite candidater au programme « J'initie, je m'engage RSE ».\n\n"+
			"Nom : %s\nPrénom : %s\nEntreprise : %s\nSIRET : %s\nAdresse : %d rue du Pont, %s %s\n"+
			"Téléphone : 06 %02d %02d %02d %02d\nEffectif : %d salariés\n\n",
			last, first, company, siret(rng), 1+rng.IntN(40), c.cp, c.name,
			rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100), 1+rng.IntN(40))
	case k < 6: // a question or a follow-up
		subject = "Re: Candidature au programme RSE"
		fmt.Fprintf(&hdr, "In-Reply-To: <q-%d@exemple.fr>\r\n", i)
		body.WriteString("Bonjour,\n\nUne question sur le calendrier des séances collectives.\n\n")
	case k < 8: // a newsletter
		subject = "Lettre d'information du territoire"
		hdr.WriteString("List-Id: <info.territoire.example>\r\nList-Unsubscribe: <mailto:stop@territoire.example>\r\nPrecedence: bulk\r\n")
	default: // an out-of-office reply
		subject = "Réponse automatique : absent du bureau"
		hdr.WriteString("Auto-Submitted: auto-replied\r\n")
	}
	for body.Len() < size {
		sentence(rng, &body)
	}
	fmt.Fprintf(&body, "\n\nCordialement,\n%s %s\n%s\n", first, last, company)

	// Written as mail clients write it: non-ASCII header text in encoded
	// words, lines wrapped at 76 columns.
	var b bytes.Buffer
	fmt.Fprintf(&b, "Return-Path: <%s>\r\nFrom: %s <%s>\r\nTo: rse.innovation.manageriale@gmail.com\r\n"+
		"Subject: %s\r\nDate: %s\r\nMessage-ID: <bench-%06d@exemple.fr>\r\nMIME-Version: 1.0\r\n",
		from, mime.QEncoding.Encode("utf-8", first+" "+last), from, mime.QEncoding.Encode("utf-8", subject),
		date.Format(time.RFC1123Z), i)
	b.Write(hdr.Bytes())
	text := strings.ReplaceAll(wrap(body.String(), 76), "\n", "\r\n")
	if rng.IntN(20) != 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(text)
		return b.Bytes()
	}
	b.WriteString("Content-Type: multipart/mixed; boundary=\"=-b\"\r\n\r\n--=-b\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(text)
	// Each PDF differs (its own trailer), as each applicant's file does.
	doc := append(append([]byte(nil), pdf...), fmt.Sprintf("\n%% dossier %d\n%%%%EOF\n", i)...)
	b.WriteString("\r\n--=-b\r\nContent-Type: application/pdf; name=\"dossier.pdf\"\r\n" +
		"Content-Disposition: attachment; filename=\"dossier.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(Base64Lines(doc) + "--=-b--\r\n")
	return b.Bytes()
}

func sentence(rng *rand.Rand, b *bytes.Buffer) {
	n := 8 + rng.IntN(14)
	for j := range n {
		w := pick(rng, words)
		if j == 0 {
			r, n := utf8.DecodeRuneInString(w)
			w = string(unicode.ToUpper(r)) + w[n:]
		}
		b.WriteString(w)
		if j < n-1 {
			b.WriteByte(' ')
		}
	}
	b.WriteString(". ")
	if rng.IntN(5) == 0 {
		b.WriteString("\n")
	}
}

// wrap breaks the lines of text longer than width (in runes) at spaces.
func wrap(text string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		col := 0
		for j, w := range strings.Split(line, " ") {
			n := utf8.RuneCountInString(w)
			switch {
			case j == 0:
			case col+1+n > width:
				b.WriteByte('\n')
				col = 0
			default:
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += n
		}
	}
	return b.String()
}

// FakePDF is a PDF header followed by incompressible bytes, as the
// compressed streams of a real PDF are.
func FakePDF(rng *rand.Rand, size int) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for len(b) < size {
		b = append(b, byte(rng.Uint32()))
	}
	return b
}

// siret returns 14 digits with a valid Luhn check.
func siret(rng *rand.Rand) string {
	d := make([]int, 14)
	for i := range 13 {
		d[i] = rng.IntN(10)
	}
	sum := 0
	for i := range 13 {
		v := d[i]
		if i%2 == 0 { // from the right, position 14-i: double every second
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	d[13] = (10 - sum%10) % 10
	var s strings.Builder
	for _, x := range d {
		s.WriteByte(byte('0' + x))
	}
	return s.String()
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

func ascii(s string) string {
	return strings.NewReplacer("É", "E", "é", "e", "è", "e", "ë", "e").Replace(s)
}

// Base64Lines is data in base64 as a mail body carries it: lines of 76
// characters, each ended by CRLF.
func Base64Lines(data []byte) string { return Base64LinesOf(data, 76, "\r\n") }

// Base64LinesOf is data in base64 in lines of line characters, each (the
// last too) ended by eol, as mail clients write it.
func Base64LinesOf(data []byte, line int, eol string) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(enc) + (len(enc)/line+1)*len(eol))
	for len(enc) > 0 {
		l := min(len(enc), line)
		b.WriteString(enc[:l])
		b.WriteString(eol)
		enc = enc[l:]
	}
	return b.String()
}

package extract

import (
	"strings"
	"sync"

	"github.com/rse-lozere/rse-intake/store/applicant"
)

// knownCommunes spells the communes of Lozère and its neighbourhood the
// usual way, accents included. Applicants who type "SAINT-CHELY-D'APCHER"
// in capitals lose the accents; this table puts them back. Keys are
// folded (lowercase, no accents, plain apostrophes). Like the other
// tables of names here, it is built on first use, not by every command as
// it starts.
var knownCommunes = sync.OnceValue(func() map[string]string {
	names := []string{
		// Lozère: the communes of today (after the mergers of 2016–2019)
		// and the former communes, whose names people still write.
		"Albaret-le-Comtal", "Albaret-Sainte-Marie", "Allenc", "Altier", "Antrenas", "Arzenc-d'Apcher",
		"Arzenc-de-Randon", "Aumont-Aubrac", "Auroux", "Badaroux", "Bagnols-les-Bains", "Balsièges",
		"Banassac", "Banassac-Canilhac", "Barjac", "Barre-des-Cévennes", "Bassurels", "Bédouès",
		"Bédouès-Cocurès", "Belvezet", "Blavignac", "Brenoux", "Brion", "Canilhac", "Cans et Cévennes",
		"Cassagnas", "Chadenet", "Chambon-le-Château", "Chanac", "Chastanier", "Chastel-Nouvel",
		"Châteauneuf-de-Randon", "Chauchailles", "Chaudeyrac", "Chaulhac", "Cheylard-l'Évêque", "Chirac",
		"Cocurès", "Cubières", "Cubiérettes", "Cultures", "Esclanèdes", "Estables", "Florac",
		"Florac Trois Rivières", "Florac-Trois-Rivières", "Fontanes", "Fontans", "Fournels",
		"Fraissinet-de-Fourques", "Fraissinet-de-Lozère", "Gabriac", "Gabrias", "Gatuzières",
		"Gorges du Tarn Causses", "Grandrieu", "Grandvals", "Grèzes", "Hures-la-Parade", "Ispagnac",
		"Javols", "Julianges", "La Bastide-Puylaurent", "La Canourgue", "La Chaze-de-Peyre",
		"La Fage-Montivernoux", "La Fage-Saint-Julien", "La Malène", "La Panouse", "La Salle-Prunet",
		"La Tieule", "La Villedieu", "Lachamp", "Lachamp-Ribennes", "Langogne", "Lanuéjols", "Laubert",
		"Laval-Atger", "Laval-du-Tarn", "Le Bleymard", "Le Born", "Le Buisson", "Le Collet-de-Dèze",
		"Le Fau-de-Peyre", "Le Malzieu-Forain", "Le Malzieu-Ville", "Le Massegros", "Le Monastier-Pin-Moriès",
		"Le Pompidou", "Le Pont-de-Montvert", "Le Recoux", "Le Rozier", "Les Bessons", "Les Bondons",
		"Les Hermaux", "Les Laubies", "Les Monts-Verts", "Les Salces", "Les Salelles", "Les Vignes", "Luc",
		"Malbouzon", "Marchastel", "Marvejols", "Mas-d'Orcières", "Massegros Causses Gorges", "Mende",
		"Meyrueis", "Moissac-Vallée-Française", "Molezon", "Mont Lozère et Goulet", "Montbel", "Montbrun",
		"Montrodat", "Monts-de-Randon", "Nasbinals", "Naussac", "Naussac-Fontanes", "Noalhac", "Palhers",
		"Paulhac-en-Margeride", "Pelouse", "Peyre en Aubrac", "Pierrefiche", "Pied-de-Borne",
		"Pont de Montvert - Sud Mont Lozère", "Pourcharesses", "Prévenchères", "Prinsuéjols",
		"Prinsuéjols-Malbouzon", "Prunières", "Quézac", "Recoules-d'Aubrac", "Recoules-de-Fumas", "Ribennes",
		"Rieutort-de-Randon", "Rimeize", "Rocles", "Rousses", "Saint-Alban-sur-Limagnole",
		"Saint-Andéol-de-Clerguemort", "Saint-André-Capcèze", "Saint-André-de-Lancize", "Saint-Amans",
		"Saint-Bauzile", "Saint-Bonnet-de-Chirac", "Saint-Bonnet-de-Montauroux", "Saint-Bonnet-Laval",
		"Saint-Chély-d'Apcher", "Saint-Chély-du-Tarn", "Saint-Denis-en-Margeride", "Saint-Étienne-du-Valdonnez",
		"Saint-Étienne-Vallée-Française", "Saint-Flour-de-Mercoire", "Saint-Frézal-d'Albuges",
		"Saint-Frézal-de-Ventalon", "Saint-Gal", "Saint-Georges-de-Lévéjac", "Saint-Germain-de-Calberte",
		"Saint-Germain-du-Teil", "Saint-Hilaire-de-Lavit", "Saint-Jean-la-Fouillouse", "Saint-Juéry",
		"Saint-Julien-d'Arpaon", "Saint-Julien-des-Points", "Saint-Julien-du-Tournel", "Saint-Laurent-de-Muret",
		"Saint-Laurent-de-Trèves", "Saint-Laurent-de-Veyrès", "Saint-Léger-de-Peyre", "Saint-Léger-du-Malzieu",
		"Saint-Martin-de-Boubaux", "Saint-Martin-de-Lansuscle", "Saint-Maurice-de-Ventalon",
		"Saint-Michel-de-Dèze", "Saint-Paul-le-Froid", "Saint-Pierre-de-Nogaret", "Saint-Pierre-des-Tripiers",
		"Saint-Pierre-le-Vieux", "Saint-Privat-de-Vallongue", "Saint-Privat-du-Fau", "Saint-Rome-de-Dolan",
		"Saint-Saturnin", "Saint-Sauveur-de-Ginestoux", "Saint-Sauveur-de-Peyre", "Saint-Symphorien",
		"Sainte-Colombe-de-Peyre", "Sainte-Croix-Vallée-Française", "Sainte-Enimie", "Sainte-Eulalie",
		"Sainte-Hélène", "Serverette", "Servières", "Termes", "Terre-de-Peyre", "Trélans", "Vebron",
		"Ventalon en Cévennes", "Vialas", "Villefort", "Bourgs sur Colagne", "Le Bleymard",
		// Neighbouring départements: Aveyron, Gard, Haute-Loire, Cantal,
		// Ardèche, Hérault.
		"Millau", "Rodez", "Espalion", "Saint-Affrique", "Séverac-d'Aveyron", "Séverac-le-Château",
		"Laguiole", "Villefranche-de-Rouergue", "Decazeville", "Onet-le-Château", "Saint-Geniez-d'Olt",
		"Saint-Geniez-d'Olt-et-d'Aubrac", "Nant", "Entraygues-sur-Truyère", "Mur-de-Barrez",
		"Saint-Chély-d'Aubrac", "Bozouls", "Réquista", "Roquefort-sur-Soulzon", "Marcillac-Vallon",
		"Naucelle", "Rignac", "Capdenac-Gare", "Baraqueville", "Luc-la-Primaube", "Salles-Curan",
		"Pont-de-Salars", "Campagnac", "La Cavalerie", "Peyreleau", "Sainte-Geneviève-sur-Argence",
		"Nîmes", "Alès", "Le Vigan", "Bagnols-sur-Cèze", "Saint-Ambroix", "Génolhac", "Valleraugue", "Uzès",
		"Beaucaire", "Saint-Gilles", "Vauvert", "Sommières", "Anduze", "Saint-Jean-du-Gard", "Lasalle",
		"Saint-Hippolyte-du-Fort", "Sumène", "Bessèges", "La Grand-Combe", "Pont-Saint-Esprit",
		"Villeneuve-lès-Avignon", "Aigues-Mortes", "Le Grau-du-Roi", "Quissac", "Trèves", "Val-d'Aigoual",
		"Saint-Sauveur-Camprieu", "Alzon", "Concoules", "Ponteils-et-Brésis", "Chamborigaud", "Portes",
		"Le Puy-en-Velay", "Saugues", "Langeac", "Brioude", "Yssingeaux", "Monistrol-sur-Loire", "Pradelles",
		"Costaros", "Le Monastier-sur-Gazeille", "Cayres", "Saint-Paulien", "Craponne-sur-Arzon",
		"Tence", "Retournac", "Paulhaguet", "Allègre", "Solignac-sur-Loire", "Landos", "Le Chambon-sur-Lignon",
		"Saint-Privat-d'Allier", "Chanaleilles", "Saint-Flour", "Aurillac", "Chaudes-Aigues", "Murat",
		"Mauriac", "Ruynes-en-Margeride", "Pierrefort", "Neuvéglise-sur-Truyère", "Massiac",
		"Riom-ès-Montagnes", "Allanche", "Maurs", "Arpajon-sur-Cère", "Vic-sur-Cère", "Salers",
		"Aubenas", "Largentière", "Privas", "Annonay", "Tournon-sur-Rhône", "Le Cheylard", "Lamastre",
		"Les Vans", "Joyeuse", "Vallon-Pont-d'Arc", "Bourg-Saint-Andéol", "Le Teil", "Saint-Étienne-de-Lugdarès",
		"Lanarce", "Coucouron", "Le Béage", "Saint-Cirgues-en-Montagne", "Thueyts", "Vals-les-Bains", "Ruoms",
		"Villeneuve-de-Berg", "Viviers", "Montpellier", "Béziers", "Lodève", "Sète", "Ganges",
		"Clermont-l'Hérault", "Pézenas", "Agde", "Lunel", "Saint-Martin-de-Londres", "Le Caylar",
		"Lamalou-les-Bains", "Bédarieux", "Saint-Pons-de-Thomières",
		// Regional and large towns.
		"Clermont-Ferrand", "Toulouse", "Lyon", "Marseille", "Paris", "Perpignan", "Carcassonne",
		"Albi", "Cahors", "Montauban", "Tarbes", "Auch", "Foix", "Saint-Étienne", "Valence", "Avignon",
		"Ajaccio", "Bastia", "Porto-Vecchio", "Corte", "Calvi", "Bonifacio", "Propriano",
	}
	m := make(map[string]string, 2*len(names))
	for _, n := range names {
		m[communeKey(n)] = n
	}
	// Second, looser keys for spellings that differ only by spaces and
	// hyphens ("saint chely d'apcher"); the first spelling listed wins,
	// and an exact key always wins over a loose one.
	for _, n := range names {
		if k := looseKey(communeKey(n)); m[k] == "" {
			m[k] = n
		}
	}
	return m
})

// lookupCommune returns the usual spelling of a known commune: the one
// written with the same separators first, else any.
func lookupCommune(c string) (string, bool) {
	k := communeKey(c)
	if known, ok := knownCommunes()[k]; ok {
		return known, true
	}
	known, ok := knownCommunes()[looseKey(k)]
	return known, ok
}

// looseKey marks a key whose spaces became hyphens, so that it never
// collides with an exact key.
func looseKey(k string) string {
	return "~" + strings.ReplaceAll(k, " ", "-")
}

// normCommune writes a commune the usual way: accents restored for known
// communes written in capitals, natural case otherwise, and the article
// contracted in "au Malzieu-Ville" / "aux Vignes" restored.
func normCommune(c, prep string) string {
	c = strings.TrimSpace(strings.Trim(collapseSpaces(c), ".,;:()\"'"))
	if c == "" {
		return ""
	}
	switch strings.ToLower(prep) {
	case "au":
		c = "Le " + c
	case "aux":
		c = "Les " + c
	}
	// The usual spelling wins for known communes, whatever the case and
	// accents typed ("SAINT-CHELY-D'APCHER", "St-Chely-d'Apcher").
	if known, ok := lookupCommune(c); ok {
		return keepAuthorHyphens(c, known)
	}
	out := naturalCase(c)
	if isASCII(out) {
		out = restoreCommuneAccents(out)
	}
	return out
}

// keepAuthorHyphens writes a known commune with the table's words and
// accents, but with a hyphen wherever the author or the table has one: a
// hyphen the author wrote is never removed ("Bourgs-sur-Colagne" stays
// hyphenated while "Bourgs sur Colagne" stays as written, when typed in
// natural case), and the table's
// hyphens are added to a spelling typed with spaces ("Saint Etienne du
// Valdonnez" -> "Saint-Étienne-du-Valdonnez").
func keepAuthorHyphens(typed, known string) string {
	// Only a name typed with care (natural mixed case) keeps its hyphens:
	// "ventalon-en-cevennes" or "BOURGS-SUR-COLAGNE" tell nothing about the
	// writer's choice of separators.
	if !strings.Contains(typed, "-") || !strings.Contains(known, " ") || strings.Contains(known, " - ") ||
		!hasLower(typed) || isAllLower(typed) {
		return known
	}
	isSep := func(r rune) bool { return r == ' ' || r == '-' }
	tw := strings.FieldsFunc(typed, isSep)
	kw := strings.FieldsFunc(known, isSep)
	if len(tw) != len(kw) {
		return known
	}
	// The separators, in order.
	var tsep, ksep []byte
	for i := 0; i < len(typed); i++ {
		if typed[i] == ' ' || typed[i] == '-' {
			if i > 0 && (typed[i-1] == ' ' || typed[i-1] == '-') {
				continue
			}
			tsep = append(tsep, typed[i])
		}
	}
	for i := 0; i < len(known); i++ {
		if known[i] == ' ' || known[i] == '-' {
			ksep = append(ksep, known[i])
		}
	}
	if len(tsep) != len(ksep) || len(ksep) != len(kw)-1 {
		return known
	}
	var b strings.Builder
	for i, w := range kw {
		if i > 0 {
			if tsep[i-1] == '-' || ksep[i-1] == '-' {
				b.WriteByte('-')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w)
	}
	return b.String()
}

// communeAccents maps the folded words of the known communes that carry
// accents to their accented spelling ("lozere" -> "Lozère"), for commune
// names outside the table typed without accents. Words of fewer than four
// letters ("lès") and words with two accented spellings are left out.
var communeAccents = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	bad := map[string]bool{}
	for _, n := range knownCommunes() {
		for _, w := range strings.FieldsFunc(n, func(r rune) bool { return r == ' ' || r == '-' || r == '\'' || r == '’' }) {
			if isASCII(w) || len([]rune(w)) < 4 {
				continue
			}
			k := applicant.Fold(w)
			if prev, ok := m[k]; ok && prev != w {
				bad[k] = true
			}
			m[k] = w
		}
	}
	for k := range bad {
		delete(m, k)
	}
	return m
})

// restoreCommuneAccents puts back the accents of the words of known
// communes in a name typed without any ("Le Pont-de-Montvert-Sud-Mont-
// Lozere" -> "…-Lozère"); the case of each word is kept.
func restoreCommuneAccents(c string) string {
	var b strings.Builder
	start := 0
	flush := func(end int) {
		w := c[start:end]
		if acc, ok := communeAccents()[strings.ToLower(w)]; ok {
			r := []rune(acc)
			if w[0] >= 'a' && w[0] <= 'z' {
				r[0] = []rune(strings.ToLower(string(r[0])))[0]
			} else {
				r[0] = []rune(strings.ToUpper(string(r[0])))[0]
			}
			w = string(r)
		}
		b.WriteString(w)
	}
	for i := 0; i < len(c); i++ {
		if ch := c[i]; ch == ' ' || ch == '-' || ch == '\'' {
			flush(i)
			b.WriteByte(ch)
			start = i + 1
		}
	}
	flush(len(c))
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// communeKey folds a commune name and expands the usual abbreviations
// (St, Ste) so that spellings of the same commune share a key.
func communeKey(c string) string {
	k := strings.ReplaceAll(applicant.Fold(c), " - ", "-")
	for _, ab := range [][2]string{{"st-", "saint-"}, {"ste-", "sainte-"}, {"st ", "saint-"}, {"ste ", "sainte-"}} {
		if strings.HasPrefix(k, ab[0]) {
			k = ab[1] + k[len(ab[0]):]
		}
		k = strings.ReplaceAll(k, "-"+ab[0], "-"+ab[1])
	}
	return k
}

package extract

import (
	"strings"
)

// departementOf returns the département of a French postal code: its first
// two digits, "2A"/"2B" for Corsica (200xx–201xx is Corse-du-Sud, 202xx–206xx
// Haute-Corse) and three digits for the overseas départements (971…976).
func departementOf(pc string) string {
	if len(pc) != 5 {
		return ""
	}
	for i := 0; i < 5; i++ {
		if pc[i] < '0' || pc[i] > '9' {
			return ""
		}
	}
	switch {
	case pc[:2] == "20":
		if pc[2] == '0' || pc[2] == '1' {
			return "2A"
		}
		return "2B"
	case pc[:2] == "97" || pc[:2] == "98":
		return pc[:3]
	case pc[:2] == "00":
		return ""
	}
	return pc[:2]
}

// knownCommunes spells the communes of Lozère and its neighbourhood the
// usual way, accents included. Applicants who type "SAINT-CHELY-D'APCHER"
// in capitals lose the accents; this table puts them back. Keys are
// folded (lowercase, no accents, plain apostrophes).
var knownCommunes = func() map[string]string {
	names := []string{
		// Lozère
		"Mende", "Marvejols", "Florac", "Florac-Trois-Rivières", "Langogne", "Saint-Chély-d'Apcher",
		"La Canourgue", "Le Malzieu-Ville", "Le Malzieu-Forain", "Meyrueis", "Villefort", "Chanac",
		"Ispagnac", "Aumont-Aubrac", "Peyre en Aubrac", "Le Bleymard", "Mont Lozère et Goulet",
		"Sainte-Enimie", "Gorges du Tarn Causses", "Saint-Alban-sur-Limagnole", "Grandrieu",
		"Châteauneuf-de-Randon", "Le Collet-de-Dèze", "Saint-Germain-de-Calberte", "Le Pont-de-Montvert",
		"Pont de Montvert - Sud Mont Lozère", "Nasbinals", "Fournels", "Saint-Germain-du-Teil", "Banassac",
		"Banassac-Canilhac", "Bagnols-les-Bains", "Badaroux", "Pelouse", "Rieutort-de-Randon",
		"Monts-de-Randon", "Saint-Étienne-du-Valdonnez", "Lanuéjols", "Barre-des-Cévennes", "Vialas",
		"Saint-Privat-de-Vallongue", "Le Monastier-Pin-Moriès", "Bourgs sur Colagne", "Chirac",
		"Montrodat", "Antrenas", "Hures-la-Parade", "La Malène", "Les Vignes", "Balsièges", "Brenoux",
		"Saint-Bauzile", "Esclanèdes", "Auroux", "Naussac", "Naussac-Fontanes", "Rocles",
		"Saint-Sauveur-de-Ginestoux", "Javols", "Prinsuéjols", "Recoules-d'Aubrac", "Marchastel",
		"Les Salelles", "Chastel-Nouvel", "Laval-du-Tarn", "Saint-Chély-du-Tarn", "Les Monts-Verts",
		"Le Buisson", "Lachamp", "Ribennes", "Termes", "Albaret-Sainte-Marie", "Les Bessons",
		"Serverette", "Saint-Léger-de-Peyre", "Grèzes", "Palhers", "Le Massegros",
		"Massegros Causses Gorges", "Saint-Georges-de-Lévéjac", "Le Rozier", "Lanuéjols",
		"Cultures", "Les Laubies", "Saint-Amans", "Estables", "Ventalon en Cévennes",
		"Saint-Étienne-Vallée-Française", "Sainte-Croix-Vallée-Française", "Moissac-Vallée-Française",
		"Gatuzières", "Fraissinet-de-Fourques", "Vebron", "Bassurels", "Cassagnas", "Le Pompidou",
		"Cans et Cévennes", "Saint-Julien-d'Arpaon", "Altier", "Pied-de-Borne", "Prévenchères",
		"La Bastide-Puylaurent", "Saint-Frézal-d'Albuges", "Luc", "Chaudeyrac", "Allenc",
		"Lachamp-Ribennes", "Arzenc-de-Randon", "Châteauneuf-de-Randon", "Montbel", "Chasseradès",
		"Belvezet", "Cubières", "Cubiérettes", "Saint-Julien-du-Tournel", "Le Born", "Saint-Denis-en-Margeride",
		"Paulhac-en-Margeride", "Saint-Paul-le-Froid", "Chambon-le-Château", "Auroux",
		"La Panouse", "Laval-Atger", "Saint-Bonnet-de-Montauroux", "Saint-Symphorien",
		"Rimeize", "Fontans", "Les Monts-Verts", "Trélans", "Saint-Laurent-de-Muret",
		"Saint-Pierre-de-Nogaret", "La Fage-Saint-Julien", "Noalhac", "Blavignac", "Arzenc-d'Apcher",
		"Prunières", "Saint-Juéry", "Terre-de-Peyre", "Les Hermaux", "Saint-Laurent-de-Veyrès",
		"Malbouzon", "Brion", "Le Fau-de-Peyre",
		// Neighbourhood and regional towns
		"Millau", "Rodez", "Espalion", "Saint-Affrique", "Séverac-d'Aveyron", "Laguiole",
		"Le Vigan", "Alès", "Nîmes", "Bagnols-sur-Cèze", "Saint-Ambroix", "Génolhac", "Valleraugue",
		"Montpellier", "Béziers", "Lodève", "Sète", "Le Puy-en-Velay", "Saugues", "Langeac",
		"Brioude", "Saint-Flour", "Aurillac", "Chaudes-Aigues", "Clermont-Ferrand", "Aubenas",
		"Largentière", "Privas", "Toulouse", "Lyon", "Marseille", "Paris", "Perpignan", "Carcassonne",
		"Albi", "Cahors", "Montauban", "Tarbes", "Auch", "Foix", "Saint-Étienne", "Valence",
		"Ajaccio", "Bastia", "Porto-Vecchio", "Corte", "Calvi", "Bonifacio", "Propriano",
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[communeKey(n)] = n
	}
	return m
}()

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
	if known, ok := knownCommunes[communeKey(c)]; ok {
		return known
	}
	return naturalCase(c)
}

// communeKey folds a commune name and expands the usual abbreviations
// (St, Ste) so that spellings of the same commune share a key.
func communeKey(c string) string {
	k := strings.ReplaceAll(fold(c), " - ", "-")
	for _, ab := range [][2]string{{"st-", "saint-"}, {"ste-", "sainte-"}, {"st ", "saint-"}, {"ste ", "sainte-"}} {
		if strings.HasPrefix(k, ab[0]) {
			k = ab[1] + k[len(ab[0]):]
		}
		k = strings.ReplaceAll(k, "-"+ab[0], "-"+ab[1])
	}
	return k
}

package shortlist

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/rse-lozere/rse-intake/store"
)

// Sections of the ranked list, as coordinators read them.
const (
	SectionSelection = "Sélection"
	SectionWaiting   = "Liste d'attente"
	SectionOther     = "Non retenu"
)

// DefaultCohortSize is how many join the program each time.
const DefaultCohortSize = 8

// Row is one application in the ranked list.
type Row struct {
	Rank        int    // 1 for the first of the selection; 0 for rows not retained
	Section     string // SectionSelection, SectionWaiting or SectionOther
	Application *store.Application
	Complete    bool // nothing missing, and not marked incomplete
	Eligible    bool
	Reasons     []string // why not eligible or not retained, in French
	Attachments []string // file names, in the order received
}

// statusReasons are the statuses that take an application out of the
// ranking whatever its merits, with what coordinators read. needs_review
// is mail nobody could read yet: ranking it would rank a guess.
var statusReasons = map[string]string{
	store.StatusWithdrawn:   "candidature retirée",
	store.StatusDeclined:    "candidature déclinée",
	store.StatusNeedsReview: "message à vérifier",
}

// decisionOrder puts a coordinator's decision before the computed order:
// the selected first, then the shortlisted, then the waitlisted, then the
// applications nobody has looked at yet. So the selection shows the
// cohort as decided, and a waitlisted application moves up into it only
// when there is room.
var decisionOrder = map[string]int{
	store.StatusSelected:    0,
	store.StatusShortlisted: 1,
	store.StatusWaitlisted:  2,
}

// Rank orders applications for a cohort of cohortSize (DefaultCohortSize
// when not positive):
//  1. retained and complete first, then retained but incomplete, then the
//     rest; retained means eligible, or selected by a coordinator who
//     chose to override the rules, and not withdrawn, declined or
//     waiting for review;
//  2. a coordinator's decision (see decisionOrder);
//  3. the coordinator's score, highest first, unscored last;
//  4. arrival, first come first served;
//  5. reference, so that the order never depends on chance.
//
// The first cohortSize retained and complete rows are the selection; the
// other retained rows, complete first, are the waiting list, ranked after
// it; the rest are "Non retenu", unranked. attachments maps application
// ids to attachment names (may be nil).
func Rank(apps []*store.Application, r Rules, cohortSize int, attachments map[int64][]string) []Row {
	if cohortSize <= 0 {
		cohortSize = DefaultCohortSize
	}
	type keyed struct {
		Row
		tier, decision int
	}
	ks := make([]keyed, len(apps))
	for i, a := range apps {
		k := keyed{Row: Row{Application: a, Attachments: attachments[a.ID]}}
		k.Eligible, k.Reasons = Eligibility(a, r)
		k.Complete = a.Complete() && a.Status != store.StatusIncomplete
		k.decision = 3
		if d, ok := decisionOrder[a.Status]; ok {
			k.decision = d
		}
		retained := k.Eligible || a.Status == store.StatusSelected
		if why, out := statusReasons[a.Status]; out {
			retained = false
			k.Reasons = append(k.Reasons, why)
		}
		switch {
		case retained && k.Complete:
			k.tier = 0
		case retained:
			k.tier = 1
		default:
			k.tier = 2
		}
		ks[i] = k
	}
	slices.SortStableFunc(ks, func(x, y keyed) int {
		if c := cmp.Compare(x.tier, y.tier); c != 0 {
			return c
		}
		if c := cmp.Compare(x.decision, y.decision); c != 0 {
			return c
		}
		if c := compareScores(x.Application.Score, y.Application.Score); c != 0 {
			return c
		}
		if c := x.Application.ReceivedAt.Compare(y.Application.ReceivedAt); c != 0 {
			return c
		}
		return cmp.Compare(x.Application.Reference, y.Application.Reference)
	})
	// A coordinator who waitlisted an application keeps it out of the
	// selection even while the cohort has room: it heads the waiting list.
	var sel, wait, other []Row
	for _, k := range ks {
		row := k.Row
		switch {
		case k.tier == 0 && len(sel) < cohortSize && row.Application.Status != store.StatusWaitlisted:
			row.Section = SectionSelection
			sel = append(sel, row)
		case k.tier < 2:
			row.Section = SectionWaiting
			wait = append(wait, row)
		default:
			row.Section = SectionOther
			other = append(other, row)
		}
	}
	rows := append(append(sel, wait...), other...)
	for i := range sel {
		rows[i].Rank = i + 1
	}
	for i := range wait {
		rows[len(sel)+i].Rank = len(sel) + i + 1
	}
	return rows
}

// compareScores orders the higher score first and no score last.
func compareScores(x, y *int) int {
	switch {
	case x == nil && y == nil:
		return 0
	case x == nil:
		return 1
	case y == nil:
		return -1
	}
	return cmp.Compare(*y, *x)
}

// Load reads the applications in statuses (all when none) and the names
// of their attachments, inline images left out.
func Load(ctx context.Context, st *store.Store, statuses []string) ([]*store.Application, map[int64][]string, error) {
	apps, err := st.Applications(ctx, statuses...)
	if err != nil {
		return nil, nil, fmt.Errorf("shortlist: %w", err)
	}
	// One query for every attachment rather than one per application: the
	// export may cover thousands.
	rows, err := st.DB().QueryContext(ctx, `SELECT application_id, filename, content_type, stored FROM attachments
		WHERE application_id IS NOT NULL AND inline = 0 ORDER BY application_id, message_id, position`)
	if err != nil {
		return nil, nil, fmt.Errorf("shortlist attachments: %w", err)
	}
	defer rows.Close()
	names := make(map[int64][]string)
	for rows.Next() {
		var id int64
		var name, ct string
		var stored bool
		if err := rows.Scan(&id, &name, &ct, &stored); err != nil {
			return nil, nil, fmt.Errorf("shortlist attachments: %w", err)
		}
		if !stored {
			name += " (refusé)" // too large or a program: the coordinator has no file
		} else if store.RiskyAttachment(name, ct) {
			name += " (risqué)" // kept, but a usual malware carrier: open with care
		}
		names[id] = append(names[id], name)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("shortlist attachments: %w", err)
	}
	return apps, names, nil
}

// Build loads the applications in statuses (all when none) and ranks them
// (see Rank).
func Build(ctx context.Context, st *store.Store, r Rules, cohortSize int, statuses []string) ([]Row, error) {
	apps, names, err := Load(ctx, st, statuses)
	if err != nil {
		return nil, err
	}
	return Rank(apps, r, cohortSize, names), nil
}

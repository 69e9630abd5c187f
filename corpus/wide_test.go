package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWideCorpusMetadata loads the wide development corpus (saved web
// pages, pasted text and Markdown, no manifest) and checks that every
// document gets the headline it states as its title and the publication
// date it states. The expected values were read off each file by a
// person: they are facts of the documents, not rules; the rules that find
// them are tested on documents of other layouts in meta_test.go. An empty
// date means the document states none (the seeds 000, 002 and 003 name
// no publication date anywhere).
func TestWideCorpusMetadata(t *testing.T) {
	dir := filepath.Join("..", "eval", "wide", "corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("wide corpus not present: %v", err)
	}
	docs, warnings, err := Load(os.DirFS(dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	want := map[string]struct{ title, published, publisher string }{
		"000_58ba5e55d69f6e30.txt": {"Why Biden Administration Refuses Troop Deployment to Haiti Despite Kenya-Led Mission", "", ""},
		"001_94594469f8d3b41f.txt": {"US Declines to Deploy Troops to Haiti Despite Kenya's Lead in Mission", "2024-03-05", ""},
		"002_9a7703d7fc767aaa.txt": {"Kenyan President Ruto and US President Biden Discuss Multinational Police Force for Haiti", "", ""},
		"003_b40d312e517e90c3.txt": {"Foreign Powers Decline to Back Kenya’s Haiti Mission, US Scrambles for Support", "", ""},
		"004_de2657677b758c88.txt": {"US to Upgrade Military Ties with Kenya After Nairobi Pledges Troops to Haiti", "2023-09-26", ""},
		// "2025-01-19 | World | Mwende Kiilu" under a masthead and tagline.
		"217-more-kenyan-police-reach-haiti.txt": {"217 more Kenyan police reach Haiti after months of uncertainty", "2025-01-19", "THE KILIMANI LEDGER"},
		// Only an update stamp: "Updated On 19 October 2024, 08:40 AM".
		"bahamas-advance-team-arrives-haiti.txt": {"Bahamian soldiers join Haiti security mission", "2024-10-19", "Out Islands Courier"},
		// The <h1> and <title> headline, not og:title's social variant.
		"conseil-de-securite-prolonge-la-mission-multinationale.html": {"L'ONU prolonge d'un an la Mission multinationale d'appui à la sécurité", "2024-10-01", "Le Courrier de Pétion-Ville"},
		// No <article>: the story is found by readability.
		"council-votes-gang-suppression-force.html": {"Security Council turns Haiti mission into a 5,550-strong Gang Suppression Force", "2025-10-01", "UN Corridor Report"},
		// "Updated On March 11, 2025 7:05 AM EAT".
		"first-kenyan-officer-killed-in-haiti-body-returns.txt": {"Body of first Kenyan officer killed in Haiti arrives home", "2025-03-11", "SAVANNAH POST KENYA"},
		// Only a visible dateline: "PORT-AU-PRINCE, Tuesday 25 June 2024 —".
		"first-kenyan-police-land-port-au-prince.html": {"Kenyan police land in Port-au-Prince as long-delayed mission begins", "2024-06-25", "Port-au-Prince Observer"},
		// Date and publisher only in JSON-LD.
		"guatemala-el-salvador-troops-reach-haiti.html":   {"Central American troops reach Haiti, lifting mission to 590", "2025-01-05", "Caribbean Ledger"},
		"henry-resigns-transitional-council-caricom.html": {"Ariel Henry agrees to quit as Caribbean leaders sketch a transitional council", "2024-03-12", "Caribbean Ledger"},
		// JSON-LD datePublished, og:title differs from the headline.
		"high-court-rules-haiti-deployment-unconstitutional.html": {"High Court rules Haiti police deployment unconstitutional", "2024-01-26", "The Lakeside Chronicle"},
		// <time datetime="2024-09-13"> in the byline.
		"jamaica-belize-personnel-join-mss.html": {"Jamaican soldiers and police join Kenyans in Haiti", "2024-09-13", "Kingston Harbour Times"},
		// "Published on 10 Oct 2023 / 3 min read / By …".
		"kenya-court-freezes-haiti-deployment-october-2023.txt": {"High Court freezes Haiti police deployment for two weeks", "2023-10-10", "East Africa Standard Review"},
		"kenya-sends-second-police-group-to-haiti.html":         {"Kenya sends second police contingent to Haiti as mission builds up", "2024-07-17", "Diaspora Weekly Review"},
		// "*26 September 2025* · By …" under "# headline".
		"kenyan-losses-in-haiti-september-2025.md":            {"Police confirm Benedict Kabiru is dead, six months after Haiti ambush", "2025-09-26", "Nairobi Evening Courier"},
		"kenyan-officer-missing-after-pont-sonde-ambush.html": {"Kenyan officer unaccounted for after gang ambush near Pont-Sondé", "2025-03-27", "Port-au-Prince Observer"},
		"murkomen-one-officer-dead-one-missing.txt":           {"Murkomen: Kenya has lost one officer in Haiti, another still missing", "2025-04-08", "COASTLINE HERALD"},
		// "**Published:** 7 February 2025".
		"rubio-waiver-and-168-more-kenyan-officers.md": {"Washington carves out $40.7 million for Haiti mission as 168 more Kenyans fly out", "2025-02-07", "Nairobi Evening Courier"},
		// "Date: 11 October 2024".
		"ruto-conille-funding-appeal-nairobi.md": {"Ruto and Conille appeal for cash as Haiti mission's money runs low", "2024-10-11", "Nairobi Evening Courier"},
		// "22, Sep 2024 | Politics | By …".
		"ruto-visits-kenyan-officers-haiti.txt": {"Ruto drops in on Kenyan police in Port-au-Prince, says Kenya open to UN peacekeeping switch", "2024-09-22", "SAVANNAH POST KENYA"},
		// "13/05/2025 · … · 4 min read".
		"santo-domingo-ministers-appeal-for-mss-funds.txt": {"Kenya and the Dominican Republic press donors over Haiti mission shortfall", "2025-05-13", "Global Security Monitor"},
		"second-group-kenyan-officers-lands-haiti.txt":     {"Second group of Kenyan police lands in Haiti", "2024-07-17", "COASTLINE HERALD"},
		"security-council-renews-mss-one-year.html":        {"Council renews Haiti security mission for a year, drops peacekeeping plan", "2024-10-01", "Hemisphere Security Digest"},
		// "**Date:** 25 April 2024" on the line after the masthead.
		"transitional-council-sworn-in-henry-quits.md":       {"Haiti's transitional council takes the oath as Henry's resignation becomes official", "2024-04-25", "Capital Policy Brief"},
		"un-council-authorises-kenya-led-haiti-mission.html": {"Security Council gives green light to Kenya-led force for Haiti", "2023-10-03", "Global Security Monitor"},
		// No <article> or <main>.
		"us-freezes-haiti-trust-fund-contribution.html": {"US freezes $13.3 million for Haiti mission trust fund under Trump aid pause", "2025-02-05", "Atlantic Policy Wire"},
	}
	if len(docs) != len(want) {
		t.Errorf("loaded %d documents, want %d", len(docs), len(want))
	}
	titles, dates := 0, 0
	for _, d := range docs {
		w, ok := want[d.DocID]
		if !ok {
			t.Errorf("unexpected document %s", d.DocID)
			continue
		}
		if d.Title == w.title {
			titles++
		} else {
			t.Errorf("%s: title %q, want %q", d.DocID, d.Title, w.title)
		}
		if d.Published == w.published {
			dates++
		} else {
			t.Errorf("%s: published %q, want %q", d.DocID, d.Published, w.published)
		}
		if d.Publisher != w.publisher {
			t.Errorf("%s: publisher %q, want %q", d.DocID, d.Publisher, w.publisher)
		}
	}
	t.Logf("%d of %d titles and %d of %d dates as stated", titles, len(want), dates, len(want))
}

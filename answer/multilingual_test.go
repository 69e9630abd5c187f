package answer

import (
	"testing"

	"missionbot/corpus"
)

// clinicDocs are a small invented corpus on a topic far from the Haiti
// mission: a regional hospital, a vaccination drive and a flooded lake
// road.
func clinicDocs() []corpus.Document {
	return []corpus.Document{
		doc("hospital-opens.txt", "New hospital opens in Corwen", "2024-04-02",
			"The new regional hospital in Corwen opened on Monday with 220 beds.\n\n"+
				"The health ministry said the building cost $85 million, paid from a World Bank loan. "+
				"Dr Amara Lenz, who runs the hospital, said 40 doctors and 150 nurses had been hired."),
		doc("vaccine-drive.txt", "Measles vaccination drive reaches 90,000 children", "2024-09-18",
			"The measles vaccination campaign has reached 90,000 children so far, the health agency said.\n\n"+
				"Officials recorded 312 cases of measles in the region this year and four deaths. "+
				"A second shipment of 50,000 vaccine doses was delivered to Corwen on Friday."),
		doc("lake-road.txt", "Flood closes lake road", "2025-01-12",
			"Heavy rain raised the level of Lake Varna by 2.4 metres and the lake road was closed for nine days.\n\n"+
				"The transport agency said repairs to the road would cost 6 million euros. "+
				"A bus company, Norland Coaches, cancelled 130 trips during the closure."),
	}
}

// TestQuestionsInOtherLanguages: questions in French, Haitian Creole and
// Spanish about an English corpus on health and transport are answered
// with the figure asked for, through the glossary's general vocabulary
// and each language's question words.
func TestQuestionsInOtherLanguages(t *testing.T) {
	e := answererOver(t, clinicDocs())
	for _, lang := range []struct {
		name  string
		tests []struct{ question, want string }
	}{
		{"fr", []struct{ question, want string }{
			{"Combien de lits compte le nouvel hôpital ?", "220 beds"},
			{"Combien a coûté le bâtiment de l'hôpital ?", "$85 million"},
			{"Combien de cas de rougeole ont été enregistrés cette année ?", "312 cases"},
			{"Combien de doses de vaccin ont été livrées à Corwen ?", "50,000"},
			{"De combien le niveau du lac a-t-il monté ?", "2.4 metres"},
			{"Combien de trajets l'entreprise de bus a-t-elle annulés ?", "130 trips"},
		}},
		{"ht", []struct{ question, want string }{
			{"Konbyen kabann nouvo lopital la genyen?", "220 beds"},
			{"Konbyen lajan bilding lopital la koute?", "$85 million"},
			{"Konbyen ka lawoujòl yo anrejistre ane sa a?", "312 cases"},
			{"Konbyen dòz vaksen yo livre Corwen?", "50,000"},
			{"Konbyen timoun kanpay vaksinasyon an rive jwenn?", "90,000"},
			{"Konbyen vwayaj konpayi bis la anile?", "130 trips"},
		}},
		{"es", []struct{ question, want string }{
			{"¿Cuántas camas tiene el nuevo hospital?", "220 beds"},
			{"¿Cuánto costó el edificio del hospital?", "$85 million"},
			{"¿Cuántos casos de sarampión se registraron este año?", "312 cases"},
			{"¿Cuántas dosis de vacuna se entregaron a Corwen?", "50,000"},
			{"¿Cuánto subió el nivel del lago?", "2.4 metres"},
			{"¿Cuántos viajes canceló la empresa de autobuses?", "130 trips"},
			{"¿Quién dirige el hospital?", "Amara Lenz"},
		}},
	} {
		t.Run(lang.name, func(t *testing.T) { mustState(t, e, lang.tests) })
	}
}

// aidDocs: an invented corpus in which several countries and an
// organisation each give a different sum to the same flood appeal, so a
// question must find the donor it names.
func aidDocs() []corpus.Document {
	return []corpus.Document{
		doc("appeal-japan.txt", "Japan pledges aid to Varna flood appeal", "2024-06-03",
			"Japan pledged $12 million to the Varna flood appeal on Monday, the foreign ministry in Tokyo said.\n\n"+
				"The money will pay for clean water and shelters for 30,000 people."),
		doc("appeal-us.txt", "United States gives to flood relief", "2024-06-05",
			"The United States gave $45 million to the Varna flood appeal, the State Department said.\n\n"+
				"Officials said the first flights of supplies would land within a week."),
		doc("appeal-drc.txt", "Congo sends rescue teams", "2024-06-06",
			"The Democratic Republic of Congo sent 80 rescue workers to Varna after the floods.\n\n"+
				"The teams brought boats and medical kits."),
		doc("appeal-who.txt", "WHO ships cholera kits", "2024-06-08",
			"The World Health Organization delivered 600 cholera kits to Varna, the WHO said on Saturday.\n\n"+
				"Cases of diarrhoea have risen since the floods."),
	}
}

// TestQuestionsNamingCountriesInOtherLanguages: a French, Spanish or Creole
// question naming a country or an organisation in its own language
// ("Japón", "États-Unis", "RDC", "OMS") is answered from the English report
// on that party, through the glossary's names.
func TestQuestionsNamingCountriesInOtherLanguages(t *testing.T) {
	e := answererOver(t, aidDocs())
	mustState(t, e, []struct{ question, want string }{
		{"¿Cuánto dinero prometió Japón para el llamamiento de Varna?", "$12 million"},
		{"¿Cuánto dinero dieron los Estados Unidos?", "$45 million"},
		{"Combien les États-Unis ont-ils donné ?", "$45 million"},
		{"Combien de travailleurs de sauvetage la République démocratique du Congo a-t-elle envoyé à Varna ?", "80"},
		{"¿Cuántos trabajadores de rescate envió la República Democrática del Congo?", "80"},
		{"Combien de kits contre le choléra l'OMS a-t-elle livrés ?", "600"},
		{"Konbyen lajan Etazini bay?", "$45 million"},
	})
}

// worksDocs: an invented English corpus on a tunnel dig, leased buses and a
// forest fire, asked about in French and Spanish with participles.
func worksDocs() []corpus.Document {
	return []corpus.Document{
		doc("tunnel-dig.txt", "Crews finish digging Orla rail tunnel", "2024-03-11",
			"Crews have dug 14 kilometres of the Orla rail tunnel, the transport ministry said on Monday.\n\n"+
				"The tunnel will carry trains under the Brenn hills when it opens in 2027."),
		doc("bus-lease.txt", "City leases electric buses", "2024-07-22",
			"The city of Orla leased 65 electric buses from a Dutch maker for five years.\n\n"+
				"The mayor said the lease would cost 18 million euros."),
		doc("forest-fire.txt", "Fire burns forest near Orla", "2024-08-30",
			"A forest fire burned 3,200 hectares near Orla before firefighters put it out on Thursday.\n\n"+
				"About 400 residents were evacuated from two villages."),
	}
}

// TestParticiplesInOtherLanguages: French and Spanish questions whose verb
// is a participle or a preterite ("creusés", "louées", "quemaron") are
// answered from the English reports, through the glossary's inflected forms.
func TestParticiplesInOtherLanguages(t *testing.T) {
	e := answererOver(t, worksDocs())
	mustState(t, e, []struct{ question, want string }{
		{"Combien de kilomètres du tunnel ont été creusés ?", "14 kilometres"},
		{"Combien d'autobus électriques la ville a-t-elle loués ?", "65"},
		{"¿Cuántas hectáreas quemó el incendio forestal?", "3,200 hectares"},
		{"¿Cuántos residentes fueron evacuados?", "400"},
	})
}

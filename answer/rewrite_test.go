package answer

import "testing"

func TestDetectLanguage(t *testing.T) {
	cases := []struct {
		q, want string
	}{
		{"How many troops did Kenya send?", ""},
		{"What about Benin?", ""},
		{"What is happening in Haïti?", ""},
		{"Who leads the police in Port-au-Prince?", ""},
		{"Combien de policiers kenyans sont en Haïti ?", langFrench},
		{"Pourquoi la mission est-elle retardée ?", langFrench},
		{"Quels pays ont promis des troupes ?", langFrench},
		{"Est-ce que les États-Unis paient ?", langFrench},
		{"Konbyen polisye kenyan ki nan peyi a?", langCreole},
		{"Poukisa misyon an pran reta?", langCreole},
		{"Kilès peyi ki voye sòlda?", langCreole},
		{"Kisa yo di sou misyon an?", langCreole},
	}
	for _, tc := range cases {
		t.Run(tc.q, func(t *testing.T) {
			if got := detectLanguage(tc.q); got != tc.want {
				t.Errorf("detectLanguage(%q) = %q, want %q", tc.q, got, tc.want)
			}
		})
	}
}

func TestCleanQuery(t *testing.T) {
	cases := []struct {
		in, want string
	}{
		{"How many troops did Benin pledge?", "How many troops did Benin pledge?"},
		{"Query: \"Benin troops Haiti\"", "Benin troops Haiti"},
		{"\n\n  Search query: `US pledge`\nExplanation: ...", "US pledge"},
		{"«Benin»", "Benin"},
		{"", ""},
		{"  \n \"\" \n", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			if got := cleanQuery(tc.in); got != tc.want {
				t.Errorf("cleanQuery(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

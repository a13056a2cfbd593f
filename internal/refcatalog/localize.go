package refcatalog

import (
	"fmt"
	"sort"
	"strings"
)

// defaultLanguages are the languages of localized properties when
// Options.Languages is empty.
var defaultLanguages = []string{"en", "de", "fr"}

// categoryDescription is the Description of a category document.
func categoryDescription(lang string, c *category, title string) string {
	if c.ctype != "UpdateClassification" {
		return title
	}
	switch lang {
	case "de":
		return fmt.Sprintf("Updates der Klassifizierung „%s“.", title)
	case "fr":
		return fmt.Sprintf("Mises à jour de la classification « %s ».", title)
	}
	return fmt.Sprintf("Updates classified as %s.", title)
}

// description is the Description of a software update in lang; unknown
// languages get the English text, tagged with their own language.
func description(lang, class, product string, kb int) string {
	switch class {
	case "Security Updates":
		switch lang {
		case "de":
			return fmt.Sprintf("In einem Microsoft-Softwareprodukt (%s) wurde ein Sicherheitsproblem festgestellt, das Auswirkungen auf Ihr System haben könnte. Sie können Ihr System schützen, indem Sie dieses Update von Microsoft installieren. Eine vollständige Liste der in diesem Update behobenen Probleme finden Sie im Microsoft Knowledge Base-Artikel KB%d. Nach der Installation dieses Updates müssen Sie das System gegebenenfalls neu starten.", product, kb)
		case "fr":
			return fmt.Sprintf("Un problème de sécurité a été identifié dans un logiciel Microsoft (%s) qui pourrait affecter votre système. Vous pouvez protéger votre système en installant cette mise à jour de Microsoft. Pour la liste complète des problèmes résolus par cette mise à jour, consultez l'article KB%d de la Base de connaissances Microsoft. Après l'installation, un redémarrage peut être nécessaire.", product, kb)
		}
		return fmt.Sprintf("A security issue has been identified in a Microsoft software product (%s) that could affect your system. You can help protect your system by installing this update from Microsoft. For a complete listing of the issues that are included in this update, see the associated Microsoft Knowledge Base article KB%d. After you install this update, you may have to restart your system.", product, kb)
	case "Definition Updates":
		switch lang {
		case "de":
			return "Installieren Sie dieses Update, um die Dateien zu aktualisieren, die zum Erkennen von Viren, Spyware und anderer potenziell unerwünschter Software verwendet werden. Nach der Installation kann dieses Element nicht mehr entfernt werden."
		case "fr":
			return "Installez cette mise à jour pour réviser les fichiers utilisés pour détecter les virus, les logiciels espions et d'autres logiciels potentiellement indésirables. Une fois installé, cet élément ne peut pas être supprimé."
		}
		return "Install this update to revise the files that are used to detect viruses, spyware, and other potentially unwanted software. Once you have installed this item, it cannot be removed."
	case "Upgrades":
		switch lang {
		case "de":
			return fmt.Sprintf("Installieren Sie die neueste Version von %s. Weitere Informationen finden Sie im Artikel KB%d.", product, kb)
		case "fr":
			return fmt.Sprintf("Installez la dernière version de %s. Pour plus d'informations, consultez l'article KB%d.", product, kb)
		}
		return fmt.Sprintf("Install the latest version of %s. For more information, see Microsoft Knowledge Base article KB%d.", product, kb)
	}
	switch lang {
	case "de":
		return fmt.Sprintf("Installieren Sie dieses Update, um Probleme in %s zu beheben. Eine vollständige Liste der in diesem Update behobenen Probleme finden Sie im Microsoft Knowledge Base-Artikel KB%d. Nach der Installation müssen Sie den Computer gegebenenfalls neu starten.", product, kb)
	case "fr":
		return fmt.Sprintf("Installez cette mise à jour pour résoudre des problèmes dans %s. Pour la liste complète des problèmes résolus, consultez l'article KB%d de la Base de connaissances Microsoft. Après l'installation, un redémarrage de l'ordinateur peut être nécessaire.", product, kb)
	}
	return fmt.Sprintf("Install this update to resolve issues in %s. For a complete listing of the issues that are included in this update, see the associated Microsoft Knowledge Base article KB%d for more information. After you install this item, you may have to restart your computer.", product, kb)
}

// uninstallNotes is the UninstallNotes of an update that can be removed.
func uninstallNotes(lang string) string {
	switch lang {
	case "de":
		return "Dieses Softwareupdate kann über „Installierte Updates anzeigen“ in der Systemsteuerung unter „Programme und Features“ entfernt werden."
	case "fr":
		return "Cette mise à jour logicielle peut être supprimée en sélectionnant Afficher les mises à jour installées dans Programmes et fonctionnalités du Panneau de configuration."
	}
	return "This software update can be removed by selecting View installed updates in the Programs and Features Control Panel."
}

// translateTitle turns an English title format into lang by replacing the
// fixed phrases, longest first; unknown languages keep the English words.
func translateTitle(lang, en string) string {
	if lang != "de" && lang != "fr" {
		return en
	}
	idx := 0
	if lang == "fr" {
		idx = 1
	}
	out := en
	for _, k := range phraseOrder {
		out = strings.ReplaceAll(out, k, phrases[k][idx])
	}
	return out
}

// phraseOrder is the keys of phrases, longest first.
var phraseOrder = func() []string {
	keys := make([]string, 0, len(phrases))
	for k := range phrases {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(keys[i]) != len(keys[j]) {
			return len(keys[i]) > len(keys[j])
		}
		return keys[i] < keys[j]
	})
	return keys
}()

var phrases = map[string][2]string{
	"Cumulative Update for":                   {"Kumulatives Update für", "Mise à jour cumulative pour"},
	"Servicing Stack Update for":              {"Wartungsstapelupdate für", "Mise à jour de la pile de maintenance pour"},
	"Dynamic Update for":                      {"Dynamisches Update für", "Mise à jour dynamique pour"},
	"Security Update for":                     {"Sicherheitsupdate für", "Mise à jour de sécurité pour"},
	"Critical Update for":                     {"Kritisches Update für", "Mise à jour critique pour"},
	"Update for":                              {"Update für", "Mise à jour pour"},
	"Feature update to":                       {"Funktionsupdate auf", "Mise à jour des fonctionnalités vers"},
	"Features on Demand for":                  {"Features bei Bedarf für", "Fonctionnalités à la demande pour"},
	"Feature Pack for":                        {"Feature Pack für", "Pack de fonctionnalités pour"},
	"Tools Update":                            {"Toolsupdate", "Mise à jour des outils"},
	"-based Systems":                          {"-basierte Systeme", " (systèmes)"},
	" for ":                                   {" für ", " pour "},
	"Security Intelligence Update for":        {"Security Intelligence-Update für", "Mise à jour de la veille de sécurité pour"},
	"Windows Malicious Software Removal Tool": {"Windows-Tool zum Entfernen bösartiger Software", "Outil de suppression de logiciels malveillants Windows"},
	"-Bit Edition":                            {"-Bit-Edition", " bits"},
	"Current Channel (Broad)":                 {"Aktueller Kanal (Allgemein)", "Canal actuel (large)"},
	"version":                                 {"Version", "version"},
}

"""What the resolver says back, in the question's language."""

TEXT = {
    "en": {
        "which_member": "“{text}” matches more than one {dimension}. Which one do you mean?",
        "which_metric": "Which measure do you want for this?",
        "which_characteristic": "{metric} needs a measured characteristic. Which one?",
        "which_group": "“{order}” among what? Say by machine, by line or by shift.",
        "which_range": "The question names more than one period. Which one?",
        "unknown_member": "I don't know “{text}”. Did you mean one of these?",
        "not_computable": "{metric} is in the KPI catalog but cannot be computed from the recorded data "
                          "({reason}).",
        "future": "“{text}” lies in the future; only recorded data can be reported. Try “last week”.",
        "out_of_scope_cause": "I report measured KPIs, not causes. Try “OEE yesterday by machine” or "
                              "“MTBF last month by failure mode”.",
        "out_of_scope_forecast": "I report recorded KPIs, not forecasts. Try “OEE last 30 days by week”.",
        "out_of_scope_money": "Costs and prices are not in the KPI model. Try “scrap rate last month”.",
        "out_of_scope_write": "Questions are read-only; nothing can be changed from here.",
        "out_of_scope_topic": "That is outside the KPI model. Try “OEE of a line last week”.",
        "nothing": "I couldn't find a KPI in that question. Try “OEE of Press line 1 last week” or "
                   "“worst machine by availability yesterday”.",
        "unsupported_filter": "{metric} cannot be narrowed to a {dimension}: {why} Try it by machine or by shift.",
        "unsupported_group": "{metric} cannot be broken down by {dimension}. Try by machine, by line or by shift.",
        "two_shifts": "Ask for one shift at a time, or by shift.",
    },
    "de": {
        "which_member": "„{text}“ passt auf mehr als ein(e) {dimension}. Welche(s) ist gemeint?",
        "which_metric": "Welche Kennzahl möchten Sie dafür sehen?",
        "which_characteristic": "{metric} braucht ein Prüfmerkmal. Welches?",
        "which_group": "„{order}“ unter welchen? Nach Maschine, nach Linie oder nach Schicht.",
        "which_range": "Die Frage nennt mehr als einen Zeitraum. Welchen?",
        "unknown_member": "„{text}“ kenne ich nicht. Ist eines davon gemeint?",
        "not_computable": "{metric} steht im Kennzahlenkatalog, ist aus den erfassten Daten aber nicht "
                          "berechenbar ({reason}).",
        "future": "„{text}“ liegt in der Zukunft; berichtet werden nur erfasste Daten. Versuchen Sie „letzte Woche“.",
        "out_of_scope_cause": "Ich berichte gemessene Kennzahlen, keine Ursachen. Versuchen Sie „OEE gestern pro "
                              "Maschine“.",
        "out_of_scope_forecast": "Ich berichte erfasste Kennzahlen, keine Prognosen.",
        "out_of_scope_money": "Kosten und Preise sind nicht im Kennzahlenmodell.",
        "out_of_scope_write": "Fragen sind nur lesend; hier lässt sich nichts ändern.",
        "out_of_scope_topic": "Das liegt außerhalb des Kennzahlenmodells.",
        "nothing": "Ich habe in der Frage keine Kennzahl gefunden. Versuchen Sie „OEE Presslinie 1 letzte Woche“.",
        "unsupported_filter": "{metric} lässt sich nicht auf {dimension} einschränken: {why}",
        "unsupported_group": "{metric} lässt sich nicht nach {dimension} aufschlüsseln.",
        "two_shifts": "Bitte eine Schicht auf einmal, oder pro Schicht.",
    },
}


def say(language: str, key: str, **values) -> str:
    return TEXT.get(language, TEXT["en"])[key].format(**values)

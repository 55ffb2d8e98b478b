"""The legal bases recorded with allowed and review decisions, and the sources of each rule.

One place for every string the engine records, so that compliance staff can check them
against eligibility-rules.md (sections 3, 4 and 9). Blocked decisions record no basis; review
decisions record the basis that applies once a person approves, or none where the spec says
"none" (stale consents, old reasons, Robinson conflicts).
"""

from __future__ import annotations

LEGAL_BASIS: dict[str, str] = {
    "email_consent": "UWG §7(2) Nr. 2 consent; GDPR Art. 6(1)(a), Art. 7(1)",
    "sms_consent": "UWG §7(2) Nr. 2 consent; GDPR Art. 6(1)(a), Art. 7(1)",
    "fax_consent": "UWG §7(2) Nr. 2 consent; GDPR Art. 6(1)(a), Art. 7(1)",
    "phone_consent_consumer": "UWG §7(2) Nr. 1, §7a consent; GDPR Art. 6(1)(a), Art. 7(1)",
    "phone_consent_b2b": "UWG §7(2) Nr. 1 consent; GDPR Art. 6(1)(a), Art. 7(1)",
    "phone_presumed": "UWG §7(2) Nr. 1 Alt. 2 presumed consent; GDPR Art. 6(1)(f)",
    "phone_presumed_after_review":
        "UWG §7(2) Nr. 1 Alt. 2 presumed consent; GDPR Art. 6(1)(f) (after review)",
    "third_party_consent":
        "Consent via vendor, vendor evidence id; GDPR Art. 6(1)(a), Art. 7(1) (after review)",
    "existing_customer": "UWG §7(3); Directive 2002/58/EC Art. 13(2); GDPR per Art. 95 "
                         "(CJEU C-654/23); fallback GDPR Art. 6(1)(f)",
    "freemium": "UWG §7(3) per CJEU C-654/23 (after review)",
    "sms_existing_customer": "UWG §7(3); Directive 2002/58/EC Art. 13(2) (after review)",
    "post": "GDPR Art. 6(1)(f), Recital 47",
    "post_first_mailing": "GDPR Art. 6(1)(f), Recital 47; Art. 14 information with the "
                          "first mailing",
    "post_after_review": "GDPR Art. 6(1)(f), Recital 47 (after review)",
    "post_after_robinson_check": "GDPR Art. 6(1)(f), Recital 47; Art. 14 information with "
                                 "the first mailing (after Robinson check)",
}

RULES: dict[str, tuple[str, str]] = {
    "G1": ("Art. 17 erasure / erasure suppression", "GDPR Art. 17 [G5]"),
    "G2": ("Art. 21 objection or 'no advertising' wish", "GDPR Art. 21; UWG §7(1) [G1] [C12]"),
    "G2a": ("new consent after an objection", "GDPR Art. 7, Art. 21 [G1] [G4]"),
    "G3": ("no contact data for the channel", "—"),
    "G4": ("Art. 14 notice overdue", "GDPR Art. 14(3) [G3]"),
    "G5": ("Robinson list", "industry self-regulation [R1] (U5)"),
    "C1": ("consent names other channels only", "BGH I ZR 164/09 [C1]"),
    "C2": ("consent evidence incomplete", "GDPR Art. 7(1); BGH I ZR 164/09 [C1] [G4]"),
    "C3": ("pre-ticked box", "CJEU C-673/17 Planet49 [C2] (U10)"),
    "C4": ("advertiser not named / partner consent", "BGH I ZR 7/16 [C3]; VI ZR 721/15 [C5]"),
    "C5": ("third-party consent", "BNetzA §7a guidance [L5] [C3] (U12)"),
    "C6": ("consent withdrawn", "GDPR Art. 7(3) [G4]; OLG Nürnberg 3 U 965/23 [C18]"),
    "C7": ("consent dormant", "AG Bonn 104 C 227/15, AG München 161 C 12736/22 [C17] (U1)"),
    "E1": ("e-mail without consent", "UWG §7(2) Nr. 2 [L1]; BGH I ZR 201/07 [C7]"),
    "E2": ("single opt-in not confirmed", "BGH I ZR 164/09 [C1] [P1]"),
    "E3": ("confirmed double opt-in", "UWG §7(2) Nr. 2 [L1]; GDPR Art. 7(1) [C1] [G4]"),
    "E6": ("§7(3) existing customer", "UWG §7(3) [L1]; CJEU C-654/23 [C16] [C6] [P2]"),
    "P1": ("consumer call without consent", "UWG §7(2) Nr. 1, §20 [L1] [L6]"),
    "P2": ("§7a-documented phone consent", "UWG §7(2) Nr. 1, §7a [L4] [L5]"),
    "P4": ("§7a documentation incomplete", "UWG §7a [L4] [L5] [C1]"),
    "P5": ("express B2B phone consent", "UWG §7(2) Nr. 1 [L1] [L5]"),
    "P6": ("presumed B2B consent (categories A/B/C)",
           "BGH I ZR 191/03 [C8]; I ZR 88/05 [C9]; LG Hamburg 312 O 227/23 [C11] (U4)"),
    "P7": ("B2B call without documented reason", "UWG §7(2) Nr. 1 [L1]; LG München I [C10]"),
    "PO1": ("business post", "GDPR Art. 6(1)(f), Recital 47 [G2]"),
    "PO2": ("consumer post: customer or own form with Art. 13 notice",
            "GDPR Art. 6(1)(f), Recital 47 [G2] [D1]"),
    "PO3": ("consumer post: purchased list with provenance", "GDPR Art. 6(1)(f), Art. 14 "
            "[G2] [G3] [D4] [R1] (U2)"),
    "PO4": ("consumer post: purchased list, provenance unknown", "[D4] (U2)"),
    "PO5": ("consumer post: crawled data", "DSK OH 2018 [D2]"),
    "PO6": ("consumer post: Art. 13 notice silent on advertising", "[D1] [G2]"),
    "F1": ("fax without consent", "UWG §7(2) Nr. 2 [L1] [P5]"),
    "F2": ("express fax consent", "UWG §7(2) Nr. 2 [L1]"),
    "S1": ("SMS without consent", "UWG §7(2) Nr. 2 [L1]; OLG Nürnberg 3 U 724/18 [C14]"),
    "S2": ("SMS consent, number verified", "UWG §7(2) Nr. 2 [L1] [C14]"),
    "S3": ("§7(3) for SMS", "UWG §7(3) [L1] (U7)"),
    "S4": ("SMS consent, number not verified", "BGH I ZR 164/09 [C1]"),
}
"""Rule id -> (what it checks, its legal source with the spec's source keys)."""

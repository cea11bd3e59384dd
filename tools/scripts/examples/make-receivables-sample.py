"""Writes docs/examples/receivables.csv: a 1,000-row accounts-receivable export with 16 rows made dirty on purpose.

The import's test on the real stack (packages/integration/src/formats/csv/receivables-import.spec.ts) expects exactly
those rows refused; docs/imports.md lists them. Seeded: running it again writes the same file.
Run from the repository root: python3 tools/scripts/examples/make-receivables-sample.py
"""
import random, csv, io, datetime
random.seed(20261205)
companies = ["Harbor Freight Supply","Acme Tooling, Inc.","Blue Ridge Logistics","Cedar & Pine Builders","Delta Marine Services","Evergreen Foods LLC","Foxglove Pharmacy","Granite State Paving","Hudson Valley Dairy","Ironwood Cabinetry","Juniper Health Clinic","Keystone Electric","Lakeside Print Shop","Maple Leaf Hardware","Northstar Aviation","Oak Hill Vineyards","Pioneer Irrigation","Quarry Road Stoneworks","Riverbend Veterinary","Summit Outdoor Gear","Tidewater Seafood Co.","Union Street Bakery","Valley View Motors","Westfield Plumbing","Yellowstone Outfitters","Zenith Dental Group","Alpine Ski Rentals","Bayside Marina","Copper Kettle Catering","Driftwood Furniture","Elm Street Books","Fairview Landscaping","Golden Gate Coffee","Highland Roofing","Island Breeze Travel","Jackson & Sons Movers","Kingfisher Pools","Lighthouse Insurance Agency","Meadowbrook Farms","Nautilus Diving School","Orchard Lane Florist","Prairie Wind Energy","Redwood Timber Co.","Silver Lake Resort","Timberline Construction","Urban Loft Interiors","Vista Optical","Willow Creek Stables","Bright Path Tutoring","Canyon Ridge Brewing","Dockside Fuel","Eastgate Pharmacy","Frontier Feed & Seed","Greenleaf Nursery","Horizon Cleaning Services","Ivory Tower Architects","Jade Garden Restaurant","Knight Security Systems","Liberty Auto Glass","Mountain Peak Fitness"]
first = ["Dana","Luis","Priya","Tom","Grace","Mei","Omar","Sara","Jake","Nina","Carlos","Ava","Ben","Zoe","Raj","Leah"]
last = ["Ortiz","Nguyen","Patel","Walsh","Kim","Chen","Haddad","Lopez","Miller","Rossi","Silva","Brooks","Cohen","Price","Iyer","Novak"]
contacts = {}
for c in companies:
    f, l = random.choice(first), random.choice(last)
    dom = ''.join(ch for ch in c.lower() if ch.isalnum())[:14] + ".example"
    contacts[c] = (f"{f} {l}", f"+1 555 {random.randint(100,999)} {random.randint(1000,9999)}", f"{f.lower()}.{l.lower()}@{dom}")
currency_of = {c: ("EUR" if i % 15 == 3 else "CAD" if i % 20 == 7 else "USD") for i, c in enumerate(companies)}
terms_options = [("Net 30", "30"), ("Net 15", "15"), ("Due on receipt", "0"), ("2% 10 Net 30", "30"), ("Net 45", "45"), ("Net 60", "60")]
terms_of = {c: random.choice(terms_options) for c in companies}
header = ["Invoice #","Customer Name","Contact Name","Contact Phone","Contact Email","Invoice Date","Due Date","Customer PO Number","Customer Terms","Terms Days","Bill Total","Amount Applied","Status","Currency"]
rows = []
start = datetime.date(2024, 1, 2)
for i in range(1000):
    c = random.choice(companies)
    number = str(100001 + i)
    d = start + datetime.timedelta(days=int(i * 0.7))
    terms, days = terms_of[c]
    total_c = random.randint(2500, 950000)
    r = random.random()
    if d < datetime.date(2025, 6, 1) and r < 0.8 or r < 0.35:
        applied_c, status = total_c, "Closed"
    elif r < 0.9:
        applied_c, status = random.randint(1, total_c - 1), "Pending"
    else:
        applied_c, status = 0, "Pending"
    name, phone, email = contacts[c]
    has_contact = random.random() < 0.55
    due = ""
    if random.random() < 0.3:
        due = (d + datetime.timedelta(days=int(days))).isoformat()
    show_days = random.random() < 0.5
    rows.append([number, c, name if has_contact else "", phone if has_contact and random.random() < 0.7 else "", email if has_contact and random.random() < 0.8 else "",
                 d.isoformat(), due, f"PO-{random.randint(1000,99999)}" if random.random() < 0.4 else "", terms, days if show_days else "",
                 f"{total_c/100:.2f}", f"{applied_c/100:.2f}", status, currency_of[c]])
# Dirty rows, at fixed places (index = row - 2).
def set_(row, col, val): rows[row-2][header.index(col)] = val
set_(12, "Bill Total", "-125.00"); set_(12, "Amount Applied", "0.00"); set_(12, "Status", "Pending")
set_(57, "Amount Applied", "999999.99")
set_(101, "Invoice Date", "2024-13-45")
set_(150, "Invoice Date", "03/15/2024")
set_(203, "Invoice #", "")
set_(250, "Customer Name", "  ")
set_(301, "Currency", "XYZ")
set_(349, "Status", "Void")
# Closed, but not all applied
set_(402, "Status", "Closed"); set_(402, "Bill Total", "500.00"); set_(402, "Amount Applied", "120.00")
set_(455, "Bill Total", "12.345")
set_(502, "Customer Terms", "When convenient"); set_(502, "Terms Days", ""); set_(502, "Due Date", "")
set_(560, "Contact Email", "dana at harbor"); set_(560, "Contact Name", "Dana Ortiz")
set_(648, "Due Date", "2023-01-01")
# Same number as row 700, other total: a conflict with the first one imported
rows[751-2] = list(rows[700-2]); set_(751, "Bill Total", f"{float(rows[700-2][10]) + 10:.2f}"); set_(751, "Amount Applied", f"{float(rows[700-2][11]) + 10:.2f}")
# Same number and content as row 800: unchanged on the first import already
rows[802-2] = list(rows[800-2])
set_(903, "Bill Total", "1,234.56x")
out = io.StringIO()
w = csv.writer(out, lineterminator="\r\n")
w.writerow(header)
for i, r in enumerate(rows):
    if i + 2 == 850:
        out.write(",".join(r[:10]) + "\r\n")  # a row cut short
        continue
    w.writerow(r)
open("docs/examples/receivables.csv", "w", newline="").write("\ufeff" + out.getvalue())
print(len(rows))

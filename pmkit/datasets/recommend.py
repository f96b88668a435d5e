"""The catalogue and who-bought-what, for item-to-item recommendations.

Each product belongs to a hidden *taste cluster* (say, "new parents" or "home
barista"). Customers lean towards one cluster, and baskets mix products from it, so
products in one cluster are bought together far more than chance. The truth holds
each product's cluster, which is what a good item-to-item recommender rediscovers.
A product's name says which taste it serves ("Trail Running Socks" for runners), so a
shelf can be sanity-checked by eye; the cluster itself stays in the truth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pmkit.datasets._build import labels
from pmkit.datasets.schema import CATEGORIES

N_PRODUCTS = 400
#: Taste clusters: name and the categories their products come from.
CLUSTERS = (
    ("home barista", ("Home", "Grocery")),
    ("new parents", ("Toys", "Home", "Beauty")),
    ("home office", ("Electronics", "Books")),
    ("runners", ("Sports", "Fashion")),
    ("gamers", ("Electronics", "Toys")),
    ("home cooks", ("Home", "Grocery", "Books")),
    ("outdoor family", ("Sports", "Toys", "Fashion")),
    ("self-care", ("Beauty", "Fashion")),
    ("readers", ("Books",)),
    ("smart home", ("Electronics", "Home")),
    ("gardeners", ("Home", "Books", "Sports")),
    ("pet owners", ("Grocery", "Home", "Toys")),
)
#: Median list price and spread (log scale) per category: heavy-tailed, electronics dearest.
PRICES = {"Electronics": (79.0, 0.9), "Home": (29.0, 0.8), "Fashion": (35.0, 0.6),
          "Grocery": (7.5, 0.5), "Toys": (22.0, 0.6), "Books": (14.0, 0.35),
          "Beauty": (16.0, 0.5), "Sports": (32.0, 0.7)}
_ADJECTIVES = ("Classic", "Compact", "Deluxe", "Eco", "Everyday", "Pro", "Smart", "Soft",
               "Sturdy", "Travel", "Ultra", "Urban")
# The nouns the catalogue first drew from. Their draws stay in the products stream so that
# popularity, and with it orders and order lines, stay byte-identical; the names shown come
# from _CLUSTER_NOUNS below.
_NOUNS = {
    "Electronics": ("Headphones", "Charger", "Speaker", "Webcam", "Keyboard", "Tablet",
                    "Smartwatch", "Router"),
    "Home": ("Kettle", "Lamp", "Cutting Board", "Blender", "Storage Box", "Pan", "Towel Set",
             "Plant Pot"),
    "Fashion": ("Rain Jacket", "Sneakers", "T-Shirt", "Backpack", "Scarf", "Jeans", "Socks",
                "Cap"),
    "Grocery": ("Coffee Beans", "Olive Oil", "Pasta", "Tea", "Granola", "Spice Mix", "Pet Food",
                "Honey"),
    "Toys": ("Puzzle", "Building Set", "Plush Bear", "Board Game", "Kite", "Toy Car",
             "Craft Kit", "Ball"),
    "Books": ("Cookbook", "Novel", "Field Guide", "Notebook", "Atlas", "Biography", "Workbook",
              "Comic"),
    "Beauty": ("Face Cream", "Shampoo", "Lip Balm", "Sunscreen", "Hair Dryer", "Soap",
               "Perfume", "Brush"),
    "Sports": ("Yoga Mat", "Water Bottle", "Running Belt", "Dumbbells", "Tent", "Bike Light",
               "Jump Rope", "Gloves"),
}
#: What a product is called, by taste cluster and category: a shopper (and a PM checking a
#: shelf by eye) can tell from the name which taste a product serves.
_CLUSTER_NOUNS = {
    "home barista": {
        "Home": ("Espresso Cups", "Milk Frother", "Coffee Grinder", "Pour-over Kettle",
                 "Coffee Scale", "Espresso Tamper"),
        "Grocery": ("Espresso Beans", "Decaf Beans", "Oat Milk", "Coffee Syrup", "Coffee Filters",
                    "Cold Brew Blend"),
    },
    "new parents": {
        "Toys": ("Baby Rattle", "Stacking Rings", "Soft Blocks", "Teething Toy", "Baby Play Mat",
                 "Bath Duck"),
        "Home": ("Baby Monitor", "Night Light", "Nappy Caddy", "Bottle Warmer", "Changing Mat",
                 "Baby Blanket"),
        "Beauty": ("Baby Lotion", "Nappy Cream", "Baby Shampoo", "Baby Wipes", "Baby Soap",
                   "Baby Sunscreen"),
    },
    "home office": {
        "Electronics": ("Webcam", "Wireless Keyboard", "Monitor Arm", "USB-C Hub", "Desk Lamp",
                        "Office Headset"),
        "Books": ("Productivity Guide", "Desk Planner", "Spreadsheet Handbook", "Meeting Notebook",
                  "Remote Work Guide", "Focus Journal"),
    },
    "runners": {
        "Sports": ("Running Belt", "Running Bottle", "Foam Roller", "Running Gloves", "Head Torch",
                   "Energy Gels"),
        "Fashion": ("Trail Running Socks", "Running Shoes", "Running Cap", "Running Jacket",
                    "Running Tights", "Sweatband"),
    },
    "gamers": {
        "Electronics": ("Gaming Mouse", "Gaming Headset", "Game Controller", "Gaming Keyboard",
                        "Capture Card", "Gaming Monitor"),
        "Toys": ("Strategy Board Game", "Card Game", "Dice Set", "Game Figure", "Puzzle Cube",
                 "Tabletop Map"),
    },
    "home cooks": {
        "Home": ("Cast-iron Pan", "Chef's Knife", "Chopping Board", "Dutch Oven", "Spice Rack",
                 "Mixing Bowls"),
        "Grocery": ("Olive Oil", "Spice Mix", "Sea Salt", "Dried Pasta", "Stock Cubes",
                    "Balsamic Vinegar"),
        "Books": ("Cookbook", "Baking Book", "Pasta Cookbook", "Curry Cookbook",
                  "Kitchen Science Book", "Vegetable Cookbook"),
    },
    "outdoor family": {
        "Sports": ("Family Tent", "Camping Stove", "Sleeping Bag", "Picnic Blanket", "Cool Box",
                   "Hiking Poles"),
        "Toys": ("Kite", "Frisbee", "Bug Hunting Kit", "Garden Ball", "Kids' Compass",
                 "Kids' Binoculars"),
        "Fashion": ("Rain Jacket", "Hiking Boots", "Sun Hat", "Fleece", "Wellies",
                    "Waterproof Trousers"),
    },
    "self-care": {
        "Beauty": ("Face Cream", "Bath Salts", "Face Mask", "Face Serum", "Body Oil", "Lip Balm"),
        "Fashion": ("Bathrobe", "Slippers", "Silk Scarf", "Lounge Pants", "Sleep Mask",
                    "Cosy Socks"),
    },
    "readers": {
        "Books": ("Novel", "Biography", "Short Stories", "Poetry Collection", "Crime Novel",
                  "History Book"),
    },
    "smart home": {
        "Electronics": ("Smart Plug", "Smart Speaker", "Video Doorbell", "Smart Bulb",
                        "Mesh Router", "Motion Sensor"),
        "Home": ("Smart Thermostat", "Robot Vacuum", "Smart Lamp", "Smart Lock", "Air Purifier",
                 "Smart Blinds"),
    },
    "gardeners": {
        "Home": ("Plant Pot", "Watering Can", "Seed Tray", "Compost Bin", "Pruning Shears",
                 "Garden Kneeler"),
        "Books": ("Gardening Guide", "Vegetable Growing Book", "Plant Atlas", "Garden Journal",
                  "Pruning Handbook", "Seed Catalogue"),
        "Sports": ("Garden Gloves", "Garden Kneeling Pad", "Garden Tool Belt", "Garden Apron",
                   "Garden Knee Pads", "Garden Sun Hat"),
    },
    "pet owners": {
        "Grocery": ("Dog Food", "Cat Food", "Dog Treats", "Cat Treats", "Bird Seed",
                    "Fish Flakes"),
        "Home": ("Pet Bed", "Pet Bowl", "Litter Tray", "Pet Blanket", "Lint Roller",
                 "Scratching Post"),
        "Toys": ("Chew Toy", "Cat Wand", "Dog Ball", "Squeaky Toy", "Tug Rope", "Puzzle Feeder"),
    },
}


def make_products(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    rng = build.rng("products")
    cluster = rng.integers(0, len(CLUSTERS), N_PRODUCTS)
    category = np.array([rng.choice(CLUSTERS[c][1]) for c in cluster])
    median = np.array([PRICES[c][0] for c in category])
    sigma = np.array([PRICES[c][1] for c in category])
    price = np.clip(median * np.exp(sigma * rng.standard_normal(N_PRODUCTS)), 0.5, 5000)
    price = np.floor(price) + 0.99  # charm prices, as shops do
    for cat in category:  # the first names' draws, kept so the stream below is unchanged
        rng.choice(_ADJECTIVES), rng.choice(_NOUNS[cat])
    namer = build.rng("product names")
    names, seen = [], set()
    for c, cat in zip(cluster, category, strict=True):
        base = f"{namer.choice(_ADJECTIVES)} {namer.choice(_CLUSTER_NOUNS[CLUSTERS[c][0]][cat])}"
        name, k = base, 2
        while name in seen:
            name, k = f"{base} {k}", k + 1
        seen.add(name)
        names.append(name)
    # Popularity within a cluster is Zipf-like: a few best sellers, a long tail.
    popularity = rng.pareto(1.2, N_PRODUCTS) + 0.05
    frame = pd.DataFrame({
        "product_id": np.arange(1, N_PRODUCTS + 1),
        "name": pd.array(names, dtype="str"),
        "category": pd.array(category, dtype="str"),
        "list_price": np.round(price, 2),
    })
    truth = {
        "clusters": [{"name": n, "categories": list(c)} for n, c in CLUSTERS],
        "cluster_of_product": {int(p): CLUSTERS[c][0] for p, c in zip(frame.product_id, cluster,
                                                                       strict=True)},
        "popularity": {int(p): round(float(w), 6) for p, w in zip(frame.product_id, popularity,
                                                                  strict=True)},
        "categories": list(CATEGORIES),
        "note": "Products of one taste cluster are bought together; popularity is the "
                "relative weight of a product within its cluster.",
    }
    return {"products": (frame, truth)}


def make_purchases(build: Any) -> dict[str, tuple[pd.DataFrame, dict[str, Any]]]:
    """Distinct (customer, product) pairs from the order lines; the last order is the test set."""
    orders = build.table("orders")
    lines = build.table("order_lines")
    order_customer = orders.customer_id.to_numpy()
    n_customers = int(order_customer.max()) + 1
    # Order ids follow the calendar, so a customer's last order has their largest id.
    last = np.zeros(n_customers, dtype=np.int64)
    np.maximum.at(last, order_customer, orders.order_id.to_numpy())
    n_orders = np.bincount(order_customer, minlength=n_customers)
    order_id = lines.order_id.to_numpy()
    customer = order_customer[order_id - 1]
    product = lines.product_id.to_numpy()
    # Only customers with two or more orders have both a history and a held-out order.
    keep = n_orders[customer] >= 2
    customer, product, order_id = customer[keep], product[keep], order_id[keep]
    is_test = order_id == last[customer]
    # One row per (customer, product); a product bought before the last order stays 'train'.
    pair = customer * (int(product.max()) + 1) + product
    order = np.lexsort((is_test, pair))
    first = np.ones(order.size, dtype=bool)
    first[1:] = pair[order][1:] != pair[order][:-1]
    rows = order[first]
    split = labels(["train", "test"], is_test[rows].astype(np.int64))
    frame = pd.DataFrame({"customer_id": customer[rows], "product_id": product[rows],
                          "split": split})
    products = build.truth("products")
    truth = {
        "cluster_of_product": products["cluster_of_product"],
        "test_customers": int(np.unique(customer[rows][is_test[rows]]).size),
        "same_cluster_share": build.truth("order_lines")["same_cluster_share"],
        "note": "Split by time: for every customer with two or more orders, products first "
                "bought in their last order are 'test'. Items of one cluster are co-purchased, "
                "so item-to-item similarity learned on 'train' should beat popularity on 'test'.",
    }
    return {"purchases": (frame, truth)}


MAKERS = {make_products: ("products",), make_purchases: ("purchases",)}

"""Story clustering: features, the online clusterer, its state, and the stateless contract.

Texts are written for these tests (four stories told by three outlets each, all on the
same two days, so dates alone cannot separate them; a developing story told as two events
of one thread, with an opinion piece and a headline-only record), plus the two seed
articles.
Annotation is real: the spaCy model for lemmas and sentences, the full annotate pipeline
for the seeds.
"""
import json
import pickle

import pytest
from conftest import SEEDS, needs_seeds

from tidings.records import AnnotatedArticle, Article, Span, stable_id
from tidings.stories import ClusterConfig, StoryClusterer, StoryFeatures, cluster_articles, features_of
from tidings.stories.features import content_terms, norm_term, outlet_identity


# (story, outlet, date, title, text)
NEWS = [
    ("ferry", "Harbour Post", "2023-05-14", "Ferry sinks off Crete, dozens missing",
     "A passenger ferry sank off the southern coast of Crete early on Sunday, and coast guard boats were "
     "searching for dozens of missing passengers. The ferry had left Heraklion with 240 people aboard."),
    ("ferry", "Island Daily", "2023-05-14", "Rescuers search for survivors after Cretan ferry disaster",
     "Greek rescuers pulled 180 survivors from the sea after a ferry went down near Crete. Helicopters and "
     "fishing boats joined the coast guard in the search for the missing passengers."),
    ("ferry", "Wire Europe", "2023-05-15", "Crete ferry captain arrested as toll rises",
     "Greek police arrested the captain of the ferry that sank off Crete, as divers recovered more bodies. "
     "Survivors said the ship listed sharply before it went down with passengers still aboard."),
    ("rates", "Nairobi Ledger", "2023-05-14", "Kenya central bank raises interest rate to 9.5%",
     "The Central Bank of Kenya raised its benchmark interest rate by half a point to 9.5 percent on Sunday, "
     "citing inflation and a weaker shilling."),
    ("rates", "Wire Europe", "2023-05-14", "Kenya lifts key lending rate to fight inflation",
     "Kenya's central bank lifted its key lending rate to 9.5 percent to curb inflation, its monetary policy "
     "committee said, as the shilling slid against the dollar."),
    ("rates", "Market Watcher", "2023-05-15", "Shilling steadies after Kenyan rate hike",
     "The Kenyan shilling steadied on Monday after the central bank's surprise interest rate increase, "
     "traders said, while banks prepared to raise lending costs for borrowers."),
    ("fire", "Provence Today", "2023-05-14", "Wildfire near Marseille forces thousands to evacuate",
     "A wildfire fanned by strong winds spread through pine forests north of Marseille, forcing thousands of "
     "residents to evacuate their homes. Firefighters used water bombers to protect villages."),
    ("fire", "Wire Europe", "2023-05-14", "Firefighters battle blaze in hills above Marseille",
     "Hundreds of firefighters and water bombers battled a forest blaze in the hills above Marseille, where "
     "evacuated residents waited in school gyms as the flames approached villages."),
    ("fire", "Harbour Post", "2023-05-15", "Marseille wildfire contained after evacuations",
     "Firefighters said the forest fire near Marseille was contained on Monday, and evacuated residents "
     "began returning home to villages spared by the flames."),
    ("chess", "Board Times", "2023-05-14", "Norwegian teenager wins world rapid chess title",
     "A seventeen-year-old from Norway won the world rapid chess championship in Samarkand, beating the "
     "defending champion in a tense final round of the tournament."),
    ("chess", "Island Daily", "2023-05-14", "Teen grandmaster takes rapid chess crown in Samarkand",
     "The Norwegian grandmaster, aged seventeen, took the rapid chess crown in Samarkand after a final-round "
     "win over the defending champion, the tournament organisers said."),
    ("chess", "Wire Europe", "2023-05-15", "New rapid chess champion celebrates in Oslo",
     "Norway's new world rapid chess champion was greeted by fans in Oslo a day after winning the tournament "
     "in Samarkand, and said he would now prepare for the blitz championship."),
]


@pytest.fixture(scope="module")
def nlp():
    from tidings.nlp.pipeline import load_nlp

    return load_nlp()


def annotate_lemmas(nlp, article: Article) -> AnnotatedArticle:
    """Real spaCy lemmas and sentences; entity layers are left to the pipeline tests."""
    from tidings.nlp.pipeline import keywords_of

    doc = nlp(article.text)
    return AnnotatedArticle(article=article, sentences=[Span(s.start_char, s.end_char, s.text) for s in doc.sents],
                            keywords=keywords_of(doc))


@pytest.fixture(scope="module")
def news(nlp):
    out = []
    for story, outlet, date, title, text in NEWS:
        a = Article.from_text(text, outlet=outlet, published=date, title=title)
        out.append((story, annotate_lemmas(nlp, a)))
    return out


def partition(labels):
    groups = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, set()).add(i)
    return sorted(map(sorted, groups.values()))


def test_norm_term_lets_headline_words_meet_lemmas():
    for surface, lemma in [("troops", "troop"), ("vowing", "vow"), ("restored", "restore"), ("capping", "cap"),
                           ("parties", "party"), ("Trump's", "trump"), ("denied", "deny")]:
        assert norm_term(surface) == norm_term(lemma)
    assert norm_term("crisis") == "crisis"
    assert content_terms("Donald Trump Sworn In As 45th President") == ["donald", "trump", "sworn", "president"]


def test_features_are_small_picklable_and_json(news):
    _, ann = news[0]
    f = features_of(ann, embeddings=False)
    assert f.id == ann.article.id and f.published == "2023-05-14" and f.outlet == "Harbour Post"
    assert {"ferry", norm_term("Crete"), norm_term("sinks")} <= set(f.title)
    assert f.lead[:2] == ["passenger", "ferry"]
    assert "say" not in f.body and "sunday" not in f.body  # news-generic words are dropped
    assert pickle.loads(pickle.dumps(f)) == f
    assert StoryFeatures.from_dict(json.loads(json.dumps(f.to_dict()))) == f


def test_features_fall_back_on_the_text_without_keywords():
    a = Article.from_text("Floods closed the main bridge over the Danube in Budapest.", published="2023-01-02")
    f = features_of(AnnotatedArticle(article=a), embeddings=False)
    assert {"flood", "bridg", "danub", "budapest"} <= set(f.body)


def test_outlet_identity_never_merges_two_unknown_outlets():
    assert outlet_identity(Article(id="a1", text="x", outlet="News.Az")) == "News.Az"
    assert outlet_identity(Article(id="a2", text="x", url="https://www.example.org/news/1")) == "example.org"
    assert outlet_identity(Article(id="a3", text="x", url="/data/000.txt")) == "article:a3"
    assert outlet_identity(Article(id="a4", text="y")) != outlet_identity(Article(id="a5", text="y"))


def test_same_day_stories_are_told_apart(news):
    labels = [a.story for a in cluster_articles([ann for _, ann in news], ClusterConfig(embeddings=False))]
    assert partition(labels) == partition([story for story, _ in news])


def test_online_assignment_finds_the_stories_too(news):
    clusterer = StoryClusterer(ClusterConfig(embeddings=False))
    labels = [clusterer.assign(features_of(ann, embeddings=False)) for _, ann in news]
    assert partition(labels) == partition([story for story, _ in news])
    # a story's id derives from its founding article
    founders = {}
    for (story, ann), label in zip(news, labels):
        founders.setdefault(story, ann.article.id)
        assert label == stable_id(founders[story])


def test_resuming_from_json_state_changes_nothing(news):
    feats = [features_of(ann, embeddings=False) for _, ann in news]
    one_run = StoryClusterer(ClusterConfig(embeddings=False))
    expected = [one_run.assign(f) for f in feats]
    got = []
    state = None
    for f in feats:  # a new process per article: state through JSON every time
        c = StoryClusterer.from_state(json.loads(json.dumps(state))) if state else StoryClusterer(
            ClusterConfig(embeddings=False))
        got.append(c.assign(f))
        state = c.state()
    assert got == expected
    assert json.loads(json.dumps(one_run.state())) == one_run.state()
    # the same article again is the same story, and changes nothing
    again = StoryClusterer.from_state(state)
    assert again.assign(feats[4]) == expected[4]
    assert again.state() == state


def test_stories_summarise_members_outlets_and_dates(news):
    clusterer = StoryClusterer(ClusterConfig(embeddings=False))
    for _, ann in news:
        clusterer.assign(features_of(ann, embeddings=False))
    stories = {s.title: s for s in clusterer.stories()}
    ferry = stories["Ferry sinks off Crete, dozens missing"]
    assert len(ferry.articles) == 3
    assert ferry.outlets == ["Harbour Post", "Island Daily", "Wire Europe"]
    assert (ferry.first_seen, ferry.last_seen) == ("2023-05-14", "2023-05-15")


def test_near_duplicate_joins_its_originals_story(news):
    clusterer = StoryClusterer(ClusterConfig(embeddings=False))
    ferry = clusterer.assign(features_of(news[0][1], embeddings=False))
    clusterer.assign(features_of(news[3][1], embeddings=False))
    # a copy flagged by ingest joins the original's story whatever its words say
    copy = features_of(news[3][1], embeddings=False)
    copy.id, copy.duplicate_of = "copy-of-ferry", news[0][1].article.id
    assert clusterer.assign(copy) == ferry


def test_time_window_and_decay(news):
    feats = features_of(news[0][1], embeddings=False)
    later = StoryFeatures.from_dict({**feats.to_dict(), "id": "later", "published": "2023-05-15"})
    much_later = StoryFeatures.from_dict({**feats.to_dict(), "id": "much-later", "published": "2023-06-20"})
    clusterer = StoryClusterer(ClusterConfig(embeddings=False))
    first = clusterer.assign(feats)
    assert clusterer.assign(later) == first
    assert clusterer.assign(much_later) != first   # five weeks on: a new story
    assert clusterer.story_of(feats.id) is None      # the old story left the index


def test_memory_stays_flat_over_a_long_stream():
    """Synthetic stream: 120 days, 20 new topics a day, each told three times. Only stories
    of the last `window_days` stay active and document frequencies are forgotten with a
    half-life, so the state does not grow with the stream."""
    import datetime as dt

    clusterer = StoryClusterer(ClusterConfig(embeddings=False, window_days=5, df_half_life=600))
    sizes = []
    for day in range(120):
        date = (dt.date(2023, 1, 1) + dt.timedelta(days=day)).isoformat()
        for topic in range(20):
            words = {f"w{day}x{topic}x{j}": 2 for j in range(12)} | {"common": 1}
            for copy in range(3):
                clusterer.assign(StoryFeatures(id=f"{day}-{topic}-{copy}", published=date, outlet=f"o{copy}",
                                               lead=list(words)[:8], body=words))
        if day in (60, 119):
            sizes.append((len(clusterer), len(json.dumps(clusterer.state()))))
    (n60, bytes60), (n119, bytes119) = sizes
    assert n60 == n119 <= 20 * 6
    assert bytes119 < 1.2 * bytes60


def test_cluster_articles_keeps_input_order_and_takes_undated_articles(news):
    anns = [ann for _, ann in news]
    undated = Article.from_text(news[7][1].article.text + " Roads stayed closed.", outlet="Radio Sud")
    from dataclasses import replace

    anns_rev = list(reversed(anns)) + [replace(news[7][1], article=undated)]
    labels = [a.story for a in cluster_articles(anns_rev, ClusterConfig(embeddings=False))]
    assert len(labels) == len(anns_rev)
    assert labels[-1] == labels[len(anns) - 1 - 7]  # the undated copy joins the fire story
    assert partition(labels[:-1]) == partition([s for s, _ in reversed(news)])
    assert cluster_articles([]) == []


@needs_seeds
def test_seed_articles_are_one_story_in_any_order():
    from tidings.ingest import read_paths
    from tidings.analysis import annotate_articles

    articles = list(read_paths(sorted(SEEDS.glob("*.txt")), on_error=lambda *a: None))
    assert len(articles) == 2
    annotated = list(annotate_articles(articles, code=False))
    assert len(set(cluster_articles(annotated, ClusterConfig(embeddings=False)))) == 1
    for order in (annotated, annotated[::-1]):
        clusterer = StoryClusterer(ClusterConfig(embeddings=False))
        assert len({clusterer.assign(features_of(a, embeddings=False)) for a in order}) == 1


def test_embeddings_are_optional(news):
    from tidings.stories import embed

    if not embed.available():
        with pytest.raises(embed.EmbeddingsUnavailable):
            embed.load_model()
        pytest.skip("the embeddings extra is not installed")
    cfg = ClusterConfig(embeddings=True)
    anns = [ann for _, ann in news]
    feats = [features_of(a, embeddings=True) for a in anns]
    assert len(feats[0].vector) == 384
    assert partition([a.story for a in cluster_articles(anns, cfg)]) == partition([story for story, _ in news])


@needs_seeds
def test_seeds_added_one_by_one_or_together_give_the_same_story_and_events(tmp_path):
    """Through the real store: the clusterer's state and the fused events survive between runs."""
    from tidings.ingest import read_paths
    from tidings.process import add_articles
    from tidings.store import Store

    files = sorted(SEEDS.glob("*.txt"))

    def snapshot(store):
        arts = sorted((a["id"], a["story"]) for a in store.list_articles())
        evs = sorted((e.id, e.story, e.code, e.date, e.date_end, e.outlets, len(e.mentions)) for e in store.list_events())
        return arts, evs

    with Store(tmp_path / "together.duckdb") as store:
        add_articles(store, read_paths(files, on_error=lambda *a: None))
        together = snapshot(store)
    for f in files:
        with Store(tmp_path / "apart.duckdb") as store:
            add_articles(store, read_paths([f], on_error=lambda *a: None))
    with Store(tmp_path / "apart.duckdb") as store:
        apart = snapshot(store)
    assert apart == together
    assert len({story for _, story in together[0]}) == 1
    assert any(outlets == 2 for *_, outlets, _mentions in together[1])


# ---------------------------------------------------------------- two levels, time per pair, headlines, opinion

# A developing story (a port strike: its start, an opinion piece, its end a week later)
# beside an unrelated one, told by several outlets, one of them a headline feed.
# (event, thread, outlet, date, title, text)
DEVELOPING = [
    ("strike", "port", "Harbour Post", "2024-03-04", "Dockers strike shuts Rotterdam container terminals",
     "Dock workers in Rotterdam walked out on Monday, shutting the port's container terminals, after talks "
     "with employers over pay and automation broke down, the FNV union said."),
    ("strike", "port", "Wire Europe", "2024-03-04", "Rotterdam port paralysed by dockers' walkout",
     "Europe's largest port came to a standstill on Monday as dockers in Rotterdam began an open-ended "
     "strike over wages and the use of automated cranes. Ships queued off the Maasvlakte terminals."),
    ("strike", "port", "Headline Feed", "2024-03-04", "Rotterdam dockers walk out over pay", ""),
    ("opinion", "port", "Harbour Post", "2024-03-05", "Opinion: Rotterdam's dockers are right to fear the robots",
     "I have watched the cranes at Rotterdam grow taller and emptier for twenty years. My view is simple: "
     "the port owes its workers a share of what automation saves."),
    ("deal", "port", "Wire Europe", "2024-03-11", "Rotterdam dockers end strike after pay deal",
     "Dock workers in Rotterdam returned to work on Monday after the FNV union and port employers agreed "
     "a 6 percent pay rise and limits on automated cranes, ending a week-long strike."),
    ("deal", "port", "Harbour Post", "2024-03-11", "Pay agreement reopens Rotterdam container terminals",
     "Container terminals in Rotterdam reopened on Monday after dockers accepted a wage agreement with "
     "employers, ending the strike that had stranded ships at the Maasvlakte."),
    ("volcano", "volcano", "Island Daily", "2024-03-04", "Volcano erupts near Grindavik in Iceland",
     "A volcano erupted on the Reykjanes peninsula in south-west Iceland on Monday, sending lava towards "
     "the evacuated town of Grindavik, the Icelandic Met Office said."),
    ("volcano", "volcano", "Wire Europe", "2024-03-04", "Lava flows towards Grindavik after Icelandic eruption",
     "Lava fountains lit up the sky over Iceland's Reykjanes peninsula after an eruption north of Grindavik, "
     "whose residents had already been evacuated, civil protection officials said."),
]


@pytest.fixture(scope="module")
def developing(nlp):
    from tidings.ingest import article_from_record

    out = []
    for event, thread, outlet, date, title, text in DEVELOPING:
        a = article_from_record({"title": title, "text": text, "date": date, "outlet": outlet}, "test")
        out.append((event, thread, annotate_lemmas(nlp, a)))  # a headline-only record's text is its title
    return out


def test_a_developing_story_is_two_events_in_one_thread(developing):
    assigned = cluster_articles([ann for *_, ann in developing], ClusterConfig(embeddings=False))
    assert partition([a.story for a in assigned]) == partition([event for event, *_ in developing])
    assert partition([a.thread for a in assigned]) == partition([thread for _, thread, _ in developing])
    assert {a.story for a in assigned}.isdisjoint({a.thread for a in assigned})  # two namespaces


def test_headline_only_and_opinion_records_are_marked(developing):
    feats = {event + str(i): features_of(ann, embeddings=False) for i, (event, _, ann) in enumerate(developing)}
    headline = feats["strike2"]
    assert headline.headline_only and headline.title and not headline.opinion
    assert feats["opinion3"].opinion and not feats["strike0"].opinion
    # a headline has no body: its body never counts as a mismatch against a full article
    clusterer = StoryClusterer(ClusterConfig(embeddings=False))
    assert clusterer.vectors(headline)["body"] == {}


def _synthetic(i: str, day: int, words: dict[str, int]) -> StoryFeatures:
    return StoryFeatures(id=i, published=f"2024-05-{day:02d}", outlet=f"outlet-{i}", lead=list(words), body=words)


def test_time_is_compared_per_pair_so_nothing_chains_for_ever():
    """Daily reports on one topic, each as close to the next as two reports of one event:
    the old story-range decay let such a story grow a day at a time for weeks; compared per
    pair with every kept member, founders included, a story stops within about a week. A
    strong match three days later still joins; a weak one does not."""
    topic = {"ceasefire": 2, "talks": 2, "mediators": 2, "doha": 2}
    clusterer = StoryClusterer(ClusterConfig(embeddings=False))
    for other in range(60):  # a background of unrelated news, so topic words are not common words
        clusterer.observe(_synthetic(f"bg{other}", 1, {f"noise{other}x{j}": 1 for j in range(6)}))
    stories = []
    for day in range(1, 21):
        own = {f"day{day}w{j}": 1 for j in range(3)}
        stories.append(clusterer.assign(_synthetic(f"d{day}", day, {**topic, **own})))
    spans: dict[str, list[int]] = {}
    for day, story in enumerate(stories, start=1):
        spans.setdefault(story, []).append(day)
    assert len(spans) >= 3
    assert all(max(days) - min(days) <= 8 for days in spans.values())
    strong = {**topic, **{f"day20w{j}": 1 for j in range(3)}}
    assert clusterer.assign(_synthetic("late-strong", 23, strong)) == stories[-1]
    assert clusterer.assign(_synthetic("late-weak", 23, {"doha": 1, "unrelated": 2, "words": 2})) not in stories


def test_agreement_needs_most_members_not_one():
    from tidings.stories.cluster import agreement

    half = ClusterConfig(quorum=0.5)
    assert agreement(half, [0.9, 0.0, 0.0, 0.0]) == pytest.approx(0.45)   # one of four agrees
    assert agreement(half, [0.6, 0.5, 0.0, 0.1]) == pytest.approx(0.55)   # two of four
    assert agreement(ClusterConfig(), [0.9, 0.0, 0.0, 0.1]) == pytest.approx(0.25)  # by default: all of them
    assert agreement(half, [0.3]) == pytest.approx(0.3)


def test_a_version_1_state_resumes_as_one_thread_per_story(news):
    """A database written before threads keeps its active stories: each old centroid stands
    as the story's founding member, and each story is a thread of its own."""
    feats = [features_of(ann, embeddings=False) for _, ann in news]
    old = StoryClusterer(ClusterConfig(embeddings=False))
    first = old.assign(feats[0])
    v2 = old.state()
    v1 = {"version": 1, "config": {"threshold": 0.21, "embeddings": False}, "n_docs": v2["weights"]["n_docs"],
          "seen": v2["weights"]["seen"], "now": v2["now"], "df": v2["weights"]["df"],
          "stories": [{"id": s["id"], "first": s["first"], "last": s["last"], "n": s["n"], "sums": s["sums"],
                       "dense": None, "members": s["members"], "outlets": s["outlets"], "title": s["title"]}
                      for s in v2["stories"]]}
    resumed = StoryClusterer.from_state(json.loads(json.dumps(v1)))
    assert resumed.story_of(feats[0].id) == first and resumed.thread_of(first) == first
    assert resumed.assign(feats[1]) == first  # another outlet's report of the ferry still joins
    assert resumed.state()["version"] == 2
    with pytest.raises(ValueError, match="version 7"):
        StoryClusterer.from_state({"version": 7})


def test_an_untitled_article_is_not_titled_by_its_dateline():
    from tidings.stories.features import make_features

    text = "NAIROBI, April 5 (Wire) -\nA dam burst near Mai Mahiu on Saturday, officials said."
    a = Article.from_text(text, published="2024-04-05")
    f = make_features(a, ["dam", "burst"], first_sentence="A dam burst near Mai Mahiu on Saturday, officials said.")
    assert f.headline == "A dam burst near Mai Mahiu on Saturday, officials said."
    titled = make_features(Article.from_text("Dam bursts in Kenya\nA dam burst on Saturday."), ["dam"])
    assert titled.headline == "Dam bursts in Kenya"

"""Replies the custom actions send, read from knowledge/replies.yml so staff can reword them."""

from __future__ import annotations

from typing import Any

from bot.kb.schema import Shape

# Every reply the actions use; `kb check` fails if replies.yml lacks one.
REQUIRED = ("kb_answer", "kb_answer_plain", "clarify", "unknown", "also_ask", "refer_other_law",
            "legal_service_line", "labor_angle", "possible_risk", "possible_risk_queued", "ask_topic_first", "article",
            "article_not_found", "ask_rephrase", "offer_human", "centre", "hotlines", "hotline_line",
            "case_intro", "case_summary", "case_which_field", "case_opened", "case_no_consent",
            "case_nothing_pending", "case_store_down", "case_store_gave_up", "case_status", "case_not_found",
            "case_lookup_down", "form_cancelled", "handoff_queued", "handoff_closed", "handoff_store_down",
            "crisis_out_of_hours", "distress_out_of_hours", "callback_left", "staff_joined", "staff_message",
            "staff_transferred",
            "staff_closed", "case_status_changed", "courses_found", "courses_none", "courses_down", "course_details",
            "course_details_next", "signup_which_session", "signup_summary", "signup_confirmed", "signup_waiting",
            "signup_store_down", "my_courses_none", "my_courses", "my_course_line", "signup_cancelled",
            "signup_not_found", "signup_promoted", "course_place", "course_button", "course_seats_short",
            "course_full_short", "course_seats", "course_full", "my_course_confirmed", "my_course_waiting",
            "my_course_cancel_button", "aid_intro", "aid_programme_likely", "aid_programme_check",
            "aid_ask_consent", "aid_no_match", "aid_no_consent", "aid_referred", "aid_store_down", "wechat_menu_hint",
            "wechat_wait", "wechat_image", "wechat_voice", "wechat_location", "wechat_link", "wechat_unsupported",
            "no_answer", "chat_session_invalid",
            *(f"invalid_{slot}" for slot in ("case_consent", "case_dispute", "case_employer", "case_facts",
                                              "case_amount", "case_since", "case_street", "case_name",
                                              "case_phone", "case_confirmed", "lookup_number", "lookup_phone",
                                              "callback_phone", "callback_note", "course_session", "signup_name",
                                              "signup_phone", "signup_confirmed", "aid_union_member",
                                              "aid_serious_illness", "aid_child_in_school", "aid_lost_job",
                                              "aid_income_below_local_standard", "aid_flexible_employment",
                                              "aid_consent", "aid_name", "aid_phone")))


class Button(Shape):
    """A button under a reply: what it says and what it sends."""

    title: str
    payload: str


class Reply(Shape):
    """A message template and the buttons under it."""

    text: str
    buttons: tuple[Button, ...] = ()

    def render(self, **values: Any) -> dict[str, Any]:
        """Text and buttons with `{name}` filled in, as keyword arguments for `dispatcher.utter_message`."""
        return {"text": self.text.format(**values),
                "buttons": [{"title": b.title.format(**values), "payload": b.payload.format(**values)}
                            for b in self.buttons]}


class Replies(Shape):
    """knowledge/replies.yml: replies by name."""

    __root__: dict[str, Reply]
